"""A scenario as ``--scenario`` expects one."""

from mailferry_devstack.environment import Stack


async def run(stack: Stack) -> None:
    del stack
