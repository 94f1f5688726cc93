"""The command line offers exactly the roles the bot knows, without importing the models at start-up."""

from __future__ import annotations

import subprocess
import sys

from bot.cli import RoleChoice
from bot.models.people import Role


def test_the_cli_role_choices_are_the_roles():
    assert [choice.value for choice in RoleChoice] == [role.value for role in Role]


def test_the_cli_starts_without_the_models():
    code = "import sys, bot.cli; print('sqlmodel' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout == "False\n"
