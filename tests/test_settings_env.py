"""Settings from the environment and .env: a bad or missing variable is one line naming it."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from bonehealth.settings import env_bool, env_int

REPO = Path(__file__).resolve().parents[1]
PRINT_SETTINGS = "from django.conf import settings; print(settings.DEBUG, settings.PAGE_SIZE)"


def manage(tmp_path: Path, *argv: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run manage.py with only PATH, a scratch SQLite file and `env` in its environment."""
    environment = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "SQLITE_PATH": str(tmp_path / "db.sqlite3"),
        "BONEHEALTH_ENV_FILE": "",
        **env,
    }
    return subprocess.run(  # noqa: S603  (our own manage.py, fixed arguments)
        [sys.executable, str(REPO / "manage.py"), *argv],
        env=environment,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_a_missing_secret_key_is_one_line_naming_it(tmp_path: Path) -> None:
    result = manage(tmp_path, "demo_totp")
    assert result.returncode == 2
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert "DJANGO_SECRET_KEY" in result.stderr
    assert not (tmp_path / "db.sqlite3").exists()


def test_a_misspelt_yes_no_value_is_refused_not_read_as_no(tmp_path: Path) -> None:
    result = manage(
        tmp_path,
        "shell",
        "--no-imports",
        "-c",
        PRINT_SETTINGS,
        DJANGO_DEBUG="true",
        DJANGO_HTTPS="ture",
    )
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "manage.py: DJANGO_HTTPS='ture' is not a yes/no value: use true or false "
        "(also 1/0, yes/no, on/off)."
    ]


def test_the_env_file_is_read_and_the_environment_wins(tmp_path: Path) -> None:
    env_file = tmp_path / "demo.env"
    env_file.write_text("# as make demo writes it\nDJANGO_DEBUG=true\nPAGE_SIZE=7\n")
    result = manage(
        tmp_path, "shell", "--no-imports", "-c", PRINT_SETTINGS, BONEHEALTH_ENV_FILE=str(env_file)
    )
    assert (result.returncode, result.stdout, result.stderr) == (0, "True 7\n", "")
    result = manage(
        tmp_path,
        "shell",
        "--no-imports",
        "-c",
        PRINT_SETTINGS,
        BONEHEALTH_ENV_FILE=str(env_file),
        PAGE_SIZE="9",
    )
    assert result.stdout == "True 9\n"


def test_the_makefile_writes_the_env_file_it_documents() -> None:
    makefile = (REPO / "Makefile").read_text()
    assert "demo: install .env" in makefile
    assert "'DJANGO_DEBUG=true' > $@" in makefile
    assert ".env" in (REPO / ".gitignore").read_text().splitlines()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("true", True),
        (" TRUE ", True),
        ("1", True),
        ("yes", True),
        ("on", True),
        ("false", False),
        ("0", False),
        ("No", False),
        ("off", False),
        ("", True),
        (None, True),
    ],
)
def test_env_bool_reads_the_words_it_knows(
    monkeypatch: pytest.MonkeyPatch, value: str | None, expected: bool
) -> None:
    if value is None:
        monkeypatch.delenv("BONEHEALTH_TEST_FLAG", raising=False)
    else:
        monkeypatch.setenv("BONEHEALTH_TEST_FLAG", value)
    assert env_bool("BONEHEALTH_TEST_FLAG", default=True) is expected


@pytest.mark.parametrize("value", ["ture", "y", "enabled", "2"])
def test_env_bool_refuses_any_other_word(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("BONEHEALTH_TEST_FLAG", value)
    with pytest.raises(ImproperlyConfigured, match=r"^BONEHEALTH_TEST_FLAG="):
        env_bool("BONEHEALTH_TEST_FLAG", default=False)


def test_env_int_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BONEHEALTH_TEST_NUMBER", "ten")
    with pytest.raises(ImproperlyConfigured, match=r"^BONEHEALTH_TEST_NUMBER='ten'"):
        env_int("BONEHEALTH_TEST_NUMBER", 10)
    monkeypatch.setenv("BONEHEALTH_TEST_NUMBER", " 12 ")
    assert env_int("BONEHEALTH_TEST_NUMBER", 10) == 12


PRINT_MAIL = (
    "from django.conf import settings; mailer = settings.MAILERS['default']; "
    "print(mailer['BACKEND'].split('.')[-2], sorted(mailer.get('OPTIONS', {}).items()), "
    "settings.PASSWORD_RESET_TIMEOUT)"
)


def test_mail_is_printed_in_debug_and_sent_by_smtp_from_the_environment(tmp_path: Path) -> None:
    debug = manage(tmp_path, "shell", "--no-imports", "-c", PRINT_MAIL, DJANGO_DEBUG="true")
    assert debug.stdout.strip() == "console [] 259200", debug.stderr
    production = manage(
        tmp_path,
        "shell",
        "--no-imports",
        "-c",
        PRINT_MAIL,
        DJANGO_SECRET_KEY="x" * 50,
        EMAIL_HOST="smtp.example.org",
        EMAIL_PORT="2525",
        EMAIL_HOST_USER="bonehealth",
        EMAIL_HOST_PASSWORD="mail-secret",
        EMAIL_USE_TLS="false",
        ENROLMENT_LINK_DAYS="2",
    )
    assert production.stdout.strip() == (
        "smtp [('host', 'smtp.example.org'), ('password', 'mail-secret'), ('port', 2525), "
        "('timeout', 10), ('use_tls', False), ('username', 'bonehealth')] 172800"
    ), production.stderr


@pytest.mark.parametrize(
    ("variable", "value"),
    [("ENROLMENT_LINK_DAYS", "30"), ("EMAIL_BACKEND", "smpt"), ("BONEHEALTH_RELEASE", "v2 rc1")],
)
def test_a_bad_enrolment_or_mail_setting_is_one_line_naming_it(
    tmp_path: Path, variable: str, value: str
) -> None:
    result = manage(tmp_path, "demo_totp", DJANGO_DEBUG="true", **{variable: value})
    assert result.returncode == 2
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert variable in result.stderr


PRINT_CACHE_PREFIX = (
    "from django.conf import settings; "
    "print(settings.CACHES['default']['KEY_PREFIX'], settings.CACHES['default']['BACKEND'])"
)


def test_the_cache_keys_start_with_the_release_the_deploy_names(tmp_path: Path) -> None:
    """On every app server, with or without Redis (bonehealth/release.py)."""
    for redis, backend in (
        ("", "django.core.cache.backends.locmem.LocMemCache"),
        ("redis://cache.internal:6379/0", "django.core.cache.backends.redis.RedisCache"),
    ):
        result = manage(
            tmp_path,
            "shell",
            "--no-imports",
            "-c",
            PRINT_CACHE_PREFIX,
            DJANGO_DEBUG="true",
            BONEHEALTH_RELEASE="3f9c2e1a",
            REDIS_URL=redis,
        )
        assert result.stdout.split() == ["bonehealth-3f9c2e1a", backend], result.stderr
