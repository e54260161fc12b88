"""Typed settings read explicitly from CERTSVC_* environment variables.

Each setting is read on its own line so an operator can grep for every knob. Production mode
refuses to start with anything that is only acceptable on a developer's laptop.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from certsvc.errors import ConfigurationError

ENVIRONMENTS = ("development", "test", "production")
DEVELOPMENT_SECRET_PREFIX = "dev-"  # noqa: S105 - a marker, not a secret
MIN_SECRET_DISTINCT_CHARACTERS = 10
MIN_KEY_PASSPHRASE_CHARS = 12
# Where rate-limit budgets are counted (docs/adr/0010-rate-limits-and-one-request-path.md):
# memory:// in the one process `certsvc serve` runs by default, Redis when several processes or
# hosts must share one budget per client. Anything else is refused by name.
PROCESS_LOCAL_RATELIMIT_SCHEMES = ("memory",)
SHARED_RATELIMIT_SCHEMES = ("redis", "rediss", "redis+unix", "redis+sentinel", "redis+cluster")
DEFAULT_RATELIMIT_STORAGE_URL = "memory://"


@dataclass(frozen=True)
class Settings:
    environment: str
    instance_dir: Path
    database_url: str
    keys_dir: Path
    base_url: str
    secret_key: str
    key_passphrase: bytes | None
    cache_dir: Path
    cjk_font: Path | None
    ledger_origin: str
    ratelimit_storage_url: str
    smtp_url: str | None
    reissue_flag_working_days: int
    log_level: str
    calendar_file: Path | None = None
    ratelimit_prefix: str = ""
    # Who runs this site, shown in every page's footer (public pages must say who answers for them).
    operator_name: str = ""
    contact_phone: str = ""
    contact_email: str = ""
    icp_number: str = ""  # ICP 备案号, required for a site hosted in mainland China
    # RFC 3161 timestamp authority for PDF signatures (PAdES B-T); None: B-B, no timestamp.
    tsa_url: str | None = None
    verify_rate: str = "120/minute;2000/hour"
    verify_number_rate: str = "20/minute;200/hour"
    status_rate: str = "600/minute"
    status_ttl_seconds: int = 300
    issuer_api_rate: str = "300/minute"
    # Console imports issuing more certificates than this wait for a reviewer's approval (issue 20).
    import_approval_rows: int = 500
    # Anonymous bulk checks (page and API batch): submissions per client, and number + name lines
    # per client (each line tests a name); employers' accounts and keys have their own quota.
    bulk_rate: str = "5/minute;30/hour"
    bulk_name_rate: str = "300/hour;1000/day"
    employer_quota: str = "20000/hour;100000/day"
    report_rate: str = "60/minute;600/hour"

    @property
    def is_production(self) -> bool:
        return self.environment == "production"

    @property
    def ratelimit_storage_is_shared(self) -> bool:
        """True when every server process counts against the same rate-limit budget."""
        return urlsplit(self.ratelimit_storage_url).scheme not in PROCESS_LOCAL_RATELIMIT_SCHEMES

    @property
    def unsafe_plaintext_keys(self) -> bool:
        """Development keeps private keys unencrypted when no passphrase is given (and warns)."""
        return self.key_passphrase is None and not self.is_production


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigurationError(f"{name} must be an integer, got {raw!r}") from None


def _non_negative(value: int, name: str) -> int:
    if value < 0:
        raise ConfigurationError(f"{name} must be 0 or more, got {value}")
    return value


def _rate(value: str, name: str) -> str:
    """A rate limit as Flask-Limiter reads it (``120/minute;2000/hour``), checked at start-up."""
    from limits import parse_many

    try:
        parse_many(value)
    except ValueError:
        raise ConfigurationError(
            f"{name} must be a rate such as 120/minute;2000/hour, got {value!r}"
        ) from None
    return value


def _development_secret(instance_dir: Path) -> str:
    """A per-installation secret so sessions survive restarts and all workers agree on it."""
    path = instance_dir / "secret_key"
    if path.exists():
        return path.read_text(encoding="ascii").strip()
    instance_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    value = DEVELOPMENT_SECRET_PREFIX + secrets.token_urlsafe(32)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(value, encoding="ascii")
    tmp.chmod(0o600)
    os.replace(tmp, path)
    return value


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Read settings from the environment (or a given mapping, for tests)."""
    env = os.environ if env is None else env
    environment = env.get("CERTSVC_ENV", "development")
    instance_dir = Path(env.get("CERTSVC_INSTANCE_DIR", "instance")).absolute()
    database_url = env.get("CERTSVC_DATABASE_URL") or f"sqlite:///{instance_dir / 'certsvc.sqlite3'}"
    keys_dir = Path(env.get("CERTSVC_KEYS_DIR", "keys")).absolute()
    base_url = env.get("CERTSVC_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
    secret_key = env.get("CERTSVC_SECRET_KEY", "")
    passphrase = env.get("CERTSVC_KEY_PASSPHRASE")
    cache_dir = Path(env.get("CERTSVC_CACHE_DIR") or instance_dir / "cache").absolute()
    cjk_font = env.get("CERTSVC_CJK_FONT")
    ledger_origin = env.get("CERTSVC_LEDGER_ORIGIN") or f"{urlsplit(base_url).netloc or 'certsvc'}/ledger"
    ratelimit_storage_url = env.get("CERTSVC_RATELIMIT_STORAGE_URL") or DEFAULT_RATELIMIT_STORAGE_URL
    ratelimit_prefix = env.get("CERTSVC_RATELIMIT_KEY_PREFIX", "")
    smtp_url = env.get("CERTSVC_SMTP_URL") or None
    reissue_flag_working_days = _int(env, "CERTSVC_REISSUE_FLAG_WORKING_DAYS", 10)
    log_level = env.get("CERTSVC_LOG_LEVEL", "INFO").upper()
    calendar_file = env.get("CERTSVC_CALENDAR_FILE") or None
    operator_name = env.get("CERTSVC_OPERATOR_NAME", "").strip()
    contact_phone = env.get("CERTSVC_CONTACT_PHONE", "").strip()
    contact_email = env.get("CERTSVC_CONTACT_EMAIL", "").strip()
    icp_number = env.get("CERTSVC_ICP_NUMBER", "").strip()
    tsa_url = env.get("CERTSVC_TSA_URL") or None
    if tsa_url is not None and urlsplit(tsa_url).scheme not in ("http", "https"):
        raise ConfigurationError(
            f"CERTSVC_TSA_URL must be an http(s) URL of an RFC 3161 TSA, got {tsa_url!r}"
        )
    verify_rate = env.get("CERTSVC_VERIFY_RATE") or Settings.verify_rate
    verify_number_rate = env.get("CERTSVC_VERIFY_NUMBER_RATE") or Settings.verify_number_rate
    status_rate = env.get("CERTSVC_STATUS_RATE") or Settings.status_rate
    status_ttl_seconds = _int(env, "CERTSVC_STATUS_TTL", Settings.status_ttl_seconds)
    issuer_api_rate = env.get("CERTSVC_ISSUER_API_RATE") or Settings.issuer_api_rate
    import_approval_rows = _int(env, "CERTSVC_IMPORT_APPROVAL_ROWS", Settings.import_approval_rows)
    bulk_rate = env.get("CERTSVC_BULK_RATE") or Settings.bulk_rate
    bulk_name_rate = env.get("CERTSVC_BULK_NAME_RATE") or Settings.bulk_name_rate
    employer_quota = env.get("CERTSVC_EMPLOYER_QUOTA") or Settings.employer_quota
    report_rate = env.get("CERTSVC_REPORT_RATE") or Settings.report_rate

    if environment not in ENVIRONMENTS:
        raise ConfigurationError(f"CERTSVC_ENV must be one of {', '.join(ENVIRONMENTS)}, got {environment!r}")
    _check_ratelimit_storage(ratelimit_storage_url)
    if environment == "production":
        _check_production(secret_key, passphrase, base_url)
        _check_production_database(database_url)
    elif not secret_key:
        secret_key = _development_secret(instance_dir)

    return Settings(
        environment=environment,
        instance_dir=instance_dir,
        database_url=database_url,
        keys_dir=keys_dir,
        base_url=base_url,
        secret_key=secret_key,
        key_passphrase=passphrase.encode("utf-8") if passphrase else None,
        cache_dir=cache_dir,
        cjk_font=Path(cjk_font) if cjk_font else None,
        ledger_origin=ledger_origin,
        ratelimit_storage_url=ratelimit_storage_url,
        ratelimit_prefix=ratelimit_prefix,
        smtp_url=smtp_url,
        reissue_flag_working_days=reissue_flag_working_days,
        log_level=log_level,
        calendar_file=Path(calendar_file).absolute() if calendar_file else None,
        operator_name=operator_name,
        contact_phone=contact_phone,
        contact_email=contact_email,
        icp_number=icp_number,
        tsa_url=tsa_url,
        verify_rate=_rate(verify_rate, "CERTSVC_VERIFY_RATE"),
        verify_number_rate=_rate(verify_number_rate, "CERTSVC_VERIFY_NUMBER_RATE"),
        status_rate=_rate(status_rate, "CERTSVC_STATUS_RATE"),
        status_ttl_seconds=status_ttl_seconds,
        issuer_api_rate=_rate(issuer_api_rate, "CERTSVC_ISSUER_API_RATE"),
        import_approval_rows=_non_negative(import_approval_rows, "CERTSVC_IMPORT_APPROVAL_ROWS"),
        bulk_rate=_rate(bulk_rate, "CERTSVC_BULK_RATE"),
        bulk_name_rate=_rate(bulk_name_rate, "CERTSVC_BULK_NAME_RATE"),
        employer_quota=_rate(employer_quota, "CERTSVC_EMPLOYER_QUOTA"),
        report_rate=_rate(report_rate, "CERTSVC_REPORT_RATE"),
    )


def _check_production_database(database_url: str) -> None:
    if urlsplit(database_url).scheme.split("+")[0] == "sqlite":
        raise ConfigurationError(
            "CERTSVC_DATABASE_URL is an SQLite file: production needs PostgreSQL "
            "(postgresql+psycopg://…), which several server processes and hosts can share safely"
        )


def _check_ratelimit_storage(url: str) -> None:
    """memory:// (the one process `certsvc serve` runs) or Redis (several processes or hosts)."""
    if urlsplit(url).scheme not in PROCESS_LOCAL_RATELIMIT_SCHEMES + SHARED_RATELIMIT_SCHEMES:
        raise ConfigurationError(
            "CERTSVC_RATELIMIT_STORAGE_URL must be memory:// (one server process) or redis://… "
            f"(several processes or hosts), got {url!r}"
        )


def _check_production(secret_key: str, passphrase: str | None, base_url: str) -> None:
    if not secret_key:
        raise ConfigurationError("CERTSVC_SECRET_KEY is required in production")
    if secret_key.startswith(DEVELOPMENT_SECRET_PREFIX) or len(secret_key) < 32:
        raise ConfigurationError("CERTSVC_SECRET_KEY is a development or too-short secret (need >= 32 chars)")
    if len(set(secret_key)) < MIN_SECRET_DISTINCT_CHARACTERS:
        # "ssss…" or "abababab…" is long but guessable: a generated secret uses many characters.
        raise ConfigurationError(
            f"CERTSVC_SECRET_KEY is low-entropy (fewer than {MIN_SECRET_DISTINCT_CHARACTERS} different "
            "characters); generate one, e.g. python -c 'import secrets; print(secrets.token_urlsafe(48))'"
        )
    if not passphrase:
        raise ConfigurationError(
            "CERTSVC_KEY_PASSPHRASE is required in production (private keys are encrypted)"
        )
    if len(passphrase) < MIN_KEY_PASSPHRASE_CHARS or len(set(passphrase)) < 4:
        raise ConfigurationError(
            f"CERTSVC_KEY_PASSPHRASE is too short or too simple for production "
            f"(need at least {MIN_KEY_PASSPHRASE_CHARS} characters)"
        )
    if not base_url.startswith("https://"):
        raise ConfigurationError("CERTSVC_BASE_URL must be an https:// URL in production")
