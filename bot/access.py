"""Who may act for a business: owner API tokens, owner page accounts, their sessions, the sign-in limit.

Tokens (API bearer tokens and page session cookies) are 256 random bits; only their SHA-256 is stored,
which is enough for secrets that cannot be guessed and costs nothing per request. Passwords are people's
and can be guessed, so they get argon2id, slow on purpose.
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session

from bot.db import queries
from bot.db.tables import ApiToken, Business, LoginAttempt, OwnerAccount, OwnerSession

API_TOKEN_PREFIX = "bk_"             # recognisable in a leaked config file or a secret scanner
SESSION_LIFETIME = timedelta(days=14)
# Sign-in limit: guessing a password from one address, or at one account from many, stays slow.
LOGIN_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_EMAIL = 5
MAX_FAILURES_PER_CLIENT = 20
MIN_PASSWORD_LENGTH = 10


@lru_cache
def _hasher() -> PasswordHasher:
    return PasswordHasher()  # argon2id with the library's current recommended cost


@lru_cache
def _dummy_hash() -> str:
    return _hasher().hash(secrets.token_urlsafe(16))


def digest(token: str) -> str:
    """The stored form of a random token."""
    return hashlib.sha256(token.encode()).hexdigest()


def create_api_token(session: Session, business: Business, *, label: str = "", now: datetime) -> str:
    """A new bearer token for the business's API; the plain token is returned once and never stored."""
    token = API_TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(ApiToken(business_id=business.id, label=label[:80], token_hash=digest(token), created_at=now))
    session.flush()
    return token


def business_for_token(session: Session, token: str, *, now: datetime) -> Business | None:
    """The business a bearer token speaks for, or None (unknown, revoked)."""
    if not token.startswith(API_TOKEN_PREFIX) or len(token) > 200:
        return None
    wanted = digest(token)
    row = queries.api_token_by_hash(session, token_hash=wanted)
    # The lookup is by a hash of a random secret, so its timing tells nothing useful; the comparison is
    # constant-time all the same.
    if row is None or row.revoked_at is not None or not hmac.compare_digest(row.token_hash, wanted):
        return None
    if row.last_used_at is None or now - row.last_used_at > timedelta(minutes=5):
        row.last_used_at = now
    return session.get(Business, row.business_id)


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def create_owner_account(session: Session, business: Business, *, email: str, password: str,
                         now: datetime) -> OwnerAccount:
    """An account for the owner page. Raises ValueError for a weak password or a taken email."""
    email = normalised_email(email)
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"the password must be at least {MIN_PASSWORD_LENGTH} characters")
    if queries.owner_account_by_email(session, email=email) is not None:
        raise ValueError(f"{email} already has an account")
    account = OwnerAccount(business_id=business.id, email=email, password_hash=hash_password(password), created_at=now)
    session.add(account)
    session.flush()
    return account


def normalised_email(email: str) -> str:
    return email.strip().lower()


@dataclass(frozen=True)
class SignIn:
    """What a sign-in came to: a session token (for the cookie) and its CSRF token, or why not."""

    outcome: str                    # "ok", "wrong" (email or password), "limited" (too many failures)
    token: str = ""
    csrf_token: str = ""
    account: OwnerAccount | None = None


def sign_in(session: Session, *, email: str, password: str, client: str, now: datetime) -> SignIn:
    """Check an email and password under the rate limit; on success open a session."""
    email = normalised_email(email)[:254]
    keys = (f"email:{email}", f"ip:{client}"[:300])
    since = now - LOGIN_WINDOW
    if (queries.login_failures(session, key=keys[0], since=since) >= MAX_FAILURES_PER_EMAIL
            or queries.login_failures(session, key=keys[1], since=since) >= MAX_FAILURES_PER_CLIENT):
        return SignIn("limited")
    account = queries.owner_account_by_email(session, email=email)
    # Verify even when there is no such account, so the time taken does not tell which emails exist.
    valid = _verified(account.password_hash if account else _dummy_hash(), password) and account is not None
    if not valid:
        session.add_all(LoginAttempt(key=key, attempted_at=now) for key in keys)
        return SignIn("wrong")
    if _hasher().check_needs_rehash(account.password_hash):
        account.password_hash = hash_password(password)
    account.last_login_at = now
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    session.add(OwnerSession(account_id=account.id, token_hash=digest(token), csrf_token=csrf, created_at=now,
                             expires_at=now + SESSION_LIFETIME))
    return SignIn("ok", token, csrf, account)


def _verified(password_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def signed_in(session: Session, token: str, *, now: datetime) -> tuple[OwnerAccount, OwnerSession] | None:
    """The account and session a session cookie belongs to, while it lasts."""
    if not token or len(token) > 200:
        return None
    row = queries.owner_session_by_hash(session, token_hash=digest(token))
    if row is None or row.expires_at <= now:
        return None
    return session.get(OwnerAccount, row.account_id), row


def sign_out(session: Session, token: str) -> None:
    row = queries.owner_session_by_hash(session, token_hash=digest(token)) if token else None
    if row is not None:
        session.delete(row)


def is_same_secret(given: str, expected: str) -> bool:
    """Constant-time equality of two secrets (CSRF tokens)."""
    return bool(given) and hmac.compare_digest(given.encode(), expected.encode())
