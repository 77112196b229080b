"""Scenarios: a module with ``async def run(stack: Stack) -> None``, run once the stack is ready.

``python -m mailferry_devstack up --scenario my.module`` imports it before anything starts (a
typo fails at once), runs it when the API answers ``/healthz`` (or when every service has
started, if there is no API), and keeps the stack running afterwards. A failing scenario is
reported and leaves the stack up for a look around.
"""

import importlib
from collections.abc import Awaitable, Callable
from typing import cast

from mailferry_devstack.environment import Stack

Scenario = Callable[[Stack], Awaitable[None]]


class ScenarioError(RuntimeError):
    """The scenario module cannot be imported or has no ``run`` coroutine function."""


def load_scenario(module_name: str) -> Scenario:
    """Import ``module_name`` and return its ``run``."""
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise ScenarioError(f"scenario {module_name!r} cannot be imported: {exc}") from exc
    run = getattr(module, "run", None)
    if not callable(run):
        raise ScenarioError(
            f"scenario {module_name!r} has no `async def run(stack)`; define one to be run "
            "once the stack is ready"
        )
    return cast(Scenario, run)
