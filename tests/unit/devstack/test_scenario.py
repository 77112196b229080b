import pytest

from mailferry_devstack.scenario import ScenarioError, load_scenario


def test_a_module_with_run_is_a_scenario():
    run = load_scenario("tests.unit.devstack.scenario_example")

    assert run.__name__ == "run"


def test_a_module_that_does_not_exist_fails_naming_it():
    with pytest.raises(ScenarioError, match=r"'no_such\.scenario' cannot be imported"):
        load_scenario("no_such.scenario")


def test_a_module_without_run_fails_saying_what_is_missing():
    with pytest.raises(ScenarioError, match=r"has no `async def run\(stack\)`"):
        load_scenario("tests.unit.devstack.test_logs")
