"""`certsvc reissue|revoke|suspend|reinstate`, `certsvc keys …` and `certsvc accounts …` end to end."""

from __future__ import annotations

import pytest

from certsvc.cli import main
from certsvc.ledger.services import audit
from certsvc.runtime import Runtime
from tests.accounts.fixtures import PROVINCE, people
from tests.workflows.support import certificate_state, ledger_entries, ledger_size, versions


@pytest.fixture
def cli_env(issued: Runtime, monkeypatch: pytest.MonkeyPatch) -> Runtime:
    settings = issued.settings
    env = {
        "CERTSVC_ENV": "test",
        "CERTSVC_INSTANCE_DIR": str(settings.instance_dir),
        "CERTSVC_DATABASE_URL": settings.database_url,
        "CERTSVC_KEYS_DIR": str(settings.keys_dir),
        "CERTSVC_BASE_URL": settings.base_url,
        "CERTSVC_SECRET_KEY": settings.secret_key,
        "CERTSVC_LOG_LEVEL": "WARNING",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return issued


def test_cli_reissue_and_status_commands(cli_env: Runtime, capsys: pytest.CaptureFixture[str]) -> None:
    """The commands change state with ledger entries; an invalid transition exits 1 with a message."""
    first, second = people(cli_env, PROVINCE, 2)
    start = ledger_size(cli_env)
    assert main(["reissue", first.number, "--reason", "lost"]) == 0
    assert "version 2" in capsys.readouterr().out
    assert [status for _, status, _ in versions(cli_env, first.number)] == ["superseded", "valid"]
    assert main(["suspend", second.number, "--reason", "investigation", "--doc-no", "渝人社〔2026〕3号"]) == 0
    assert certificate_state(cli_env, second.number) == ("suspended", 1)
    assert main(["reinstate", second.number, "--reason", "cleared", "--doc-no", "渝人社〔2026〕4号"]) == 0
    assert (
        main(
            [
                "revoke",
                second.number,
                "--reason",
                "fraud",
                "--doc-no",
                "渝人社〔2026〕5号",
                "--effective",
                "2026-11-20",
            ]
        )
        == 0
    )
    assert certificate_state(cli_env, second.number) == ("revoked", 1)
    capsys.readouterr()
    assert main(["reinstate", second.number, "--reason", "cleared", "--doc-no", "x"]) == 1
    assert "workflow" in capsys.readouterr().err
    types = [entry["type"] for entry in ledger_entries(cli_env, start)]
    assert types == ["reissue", "suspend", "reinstate", "revoke", "integrity-open"]  # fraud: rule 10
    assert audit(cli_env, None).ok


def test_cli_refuses_unknown_reasons_and_mistyped_numbers(cli_env: Runtime) -> None:
    """argparse refuses a reason outside the category list; a mistyped number is a usage error."""
    number = people(cli_env, PROVINCE, 1)[0].number
    with pytest.raises(SystemExit) as exit_info:
        main(["revoke", number, "--reason", "because", "--doc-no", "x"])
    assert exit_info.value.code == 2
    typo = number[:-1] + ("0" if number[-1] != "0" else "1")
    assert main(["reissue", typo, "--reason", "lost"]) == 2


def test_keys_rotate_and_compromise_are_logged(cli_env: Runtime, capsys: pytest.CaptureFixture[str]) -> None:
    """Rotation adds a key (the old one stays listed) and a key-rotate entry; compromise is logged too."""
    old = cli_env.keys.history()[-1].kid
    start = ledger_size(cli_env)
    assert main(["keys", "rotate"]) == 0
    new = cli_env.keys.history()[-1].kid
    assert new != old
    assert main(["keys", "compromise", old, "--since", "2026-11-21T01:00:00Z"]) == 0
    capsys.readouterr()
    assert main(["keys", "list"]) == 0
    listing = capsys.readouterr().out
    assert old in listing and new in listing and "compromised" in listing
    assert [(e["type"], e["kid"]) for e in ledger_entries(cli_env, start)] == [
        ("key-rotate", new),
        ("key-compromise", old),
    ]
    assert audit(cli_env, None).ok


def test_accounts_commands_print_secrets_once(cli_env: Runtime, capsys: pytest.CaptureFixture[str]) -> None:
    """Staff users, API tokens and activation links are created and printed; tokens then authenticate."""
    from certsvc.accounts.services import authenticate_api_token

    number = people(cli_env, PROVINCE, 1)[0].number
    assert main(["accounts", "create-staff", "zhang.wei", "--authority", PROVINCE, "--role", "reviewer"]) == 0
    assert "password:" in capsys.readouterr().out
    assert main(["accounts", "create-token", "--authority", PROVINCE, "--role", "operator"]) == 0
    token = capsys.readouterr().out.strip()
    assert authenticate_api_token(cli_env, token).role == "operator"
    assert main(["accounts", "activation-link", number]) == 0
    assert "/auth/link/" in capsys.readouterr().out
