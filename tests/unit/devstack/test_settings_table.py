from abc import abstractmethod

import pytest
from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from mailferry_devstack.settings_table import (
    BEGIN,
    END,
    Setting,
    discover,
    render,
    replace_section,
    settings_of,
)


class ExampleSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MIGRATION_")

    nats_url: str = Field(default="nats://x:4222", description="NATS | URL")
    jwt_secret: SecretStr = Field(description="Signing secret")
    debug: bool = False
    renamed: int = Field(default=3, validation_alias=AliasChoices("MIGRATION_OTHER", "x"))


class TestSettingsOf:
    def test_variables_defaults_and_descriptions_come_from_the_fields(self):
        rows = {s.variable: s for s in settings_of(ExampleSettings)}

        assert rows["MIGRATION_NATS_URL"].default == "`nats://x:4222`"
        assert rows["MIGRATION_JWT_SECRET"].default == "**required**"
        assert rows["MIGRATION_DEBUG"].default == "`false`"
        assert rows["MIGRATION_JWT_SECRET"].description == "Signing secret"

    def test_an_alias_names_the_variable(self):
        assert "MIGRATION_OTHER" in {s.variable for s in settings_of(ExampleSettings)}

    def test_inherited_variables_belong_to_the_class_that_declares_them(self):
        class ServiceSettings(ExampleSettings):
            slots: int = Field(default=2, description="Slots")

        assert [s.variable for s in settings_of(ServiceSettings)] == ["MIGRATION_SLOTS"]

    def test_the_variables_of_an_abstract_base_belong_to_each_service_completing_it(self):
        class TemplateSettings(ExampleSettings):
            shared: int = Field(default=1, description="Shared")

            @abstractmethod
            def kind(self) -> str: ...

        class ServiceSettings(TemplateSettings):
            own: int = Field(default=2, description="Own")

            def kind(self) -> str:
                return "service"

        assert [s.variable for s in settings_of(ServiceSettings)] == [
            "MIGRATION_SHARED",
            "MIGRATION_OWN",
        ]

    def test_the_member_is_named_after_the_top_package(self):
        assert {s.member for s in settings_of(ExampleSettings)} == {"tests"}


class TestRender:
    def test_one_row_per_variable_merging_its_readers(self):
        table = render(
            [
                Setting("MIGRATION_NATS_URL", "bus", "`nats://a`", "NATS URL"),
                Setting("MIGRATION_NATS_URL", "gate", "`nats://a`", "NATS URL"),
                Setting("MIGRATION_API_PORT", "api", "`8080`", "Port"),
            ]
        )

        assert table.splitlines()[2:] == [
            "| `MIGRATION_API_PORT` | api | `8080` | Port |",
            "| `MIGRATION_NATS_URL` | bus, gate | `nats://a` | NATS URL |",
        ]

    def test_different_defaults_are_shown_per_reader(self):
        table = render(
            [
                Setting("MIGRATION_NATS_URL", "bus", "`nats://a`", "NATS URL"),
                Setting("MIGRATION_NATS_URL", "devstack", "unset", "NATS URL"),
            ]
        )

        assert "| bus: `nats://a`; devstack: unset | NATS URL |" in table

    def test_pipes_in_cells_are_escaped(self):
        table = render(settings_of(ExampleSettings))

        assert "NATS \\| URL" in table


class TestReplaceSection:
    def test_only_the_text_between_the_markers_changes(self):
        document = f"# Title\n{BEGIN}\nold\n{END}\nafter\n"

        assert replace_section(document, "new") == f"# Title\n{BEGIN}\nnew\n{END}\nafter\n"

    def test_missing_markers_are_an_error_naming_them(self):
        with pytest.raises(ValueError, match="BEGIN settings table"):
            replace_section("# no markers\n", "table")


def test_discovery_finds_the_settings_of_the_installed_members():
    found = {f"{cls.__module__}.{cls.__qualname__}" for cls in discover()}

    assert {
        "mailferry_bus.settings.BusSettings",
        "mailferry_bus.health.HealthSettings",
        "mailferry_vault.settings.VaultSettings",
        "mailferry_devstack.settings.DevstackSettings",
        "mailferry_runner_imap.settings.Settings",
    } <= found
    assert "mailferry_bus.runners.settings.RunnerSettings" not in found
