"""Production settings: `manage.py check --deploy` is clean, and a process with a configuration error
refuses to start (manage.py, the WSGI/ASGI application, the Celery worker and beat)."""

import os
import subprocess
import sys

import pytest
from django.conf import settings

PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "x7#k2!production-like-secret-key-for-the-deploy-check-0123456789",
    "ALLOWED_HOSTS": "api.cafaticket.com",
    "CSRF_TRUSTED_ORIGINS": "https://api.cafaticket.com",
    "BEHIND_TLS_PROXY": "true",
    "PAYSTACK_SECRET_KEY": "sk_live_0123456789abcdef0123456789abcdef01234567",
}
NO_PROVIDER = {"PAYSTACK_SECRET_KEY": ""}
# Nothing of the test run's own environment may choose for the process under test.
INHERITED_OUT = {
    "DATABASE_URL",
    "REDIS_URL",
    "DEBUG",
    "PAYMENTS_SANDBOX",
    "PAYSTACK_SECRET_KEY",
    "SECRET_KEY",
    "STRIPE_SECRET_KEY",
    "STRIPE_WEBHOOK_SECRET",
}
STRIPE_LIVE = {
    "STRIPE_SECRET_KEY": "sk_live_51Qc4fAJx9TickEtS0Nly4Te5tS000000000000000000000000000000000000000000",
    "STRIPE_WEBHOOK_SECRET": "whsec_5f0c1e2d3b4a59687766554433221100ffeeddccbbaa9988",
}


def _run(command, env, timeout=120):
    clean = {k: v for k, v in os.environ.items() if k not in INHERITED_OUT}
    return subprocess.run(
        command, env={**clean, **env}, cwd=settings.BASE_DIR, capture_output=True, text=True, timeout=timeout
    )


def _manage(*args, env):
    return _run([sys.executable, "manage.py", *args], env)


def test_deploy_check_is_clean_in_production_settings():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_secret_key_is_required_when_debug_is_off():
    env = {**PRODUCTION_ENV, "SECRET_KEY": ""}
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY is required" in result.stderr


# --- The payment provider is an explicit choice (issue 10, item 2) ----------------------------


@pytest.mark.parametrize("command", [("check",), ("migrate", "--check")])  # the compose web runs migrate first
def test_with_debug_off_and_no_provider_manage_py_refuses(command, tmp_path):
    env = {**PRODUCTION_ENV, **NO_PROVIDER, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}

    result = _manage(*command, env=env)

    assert result.returncode != 0
    assert "(payments.E001) No payment provider is configured" in result.stderr
    assert "PAYMENTS_SANDBOX=true" in result.stderr


@pytest.mark.parametrize("module", ["cafa.wsgi", "cafa.asgi"])
def test_with_debug_off_and_no_provider_the_web_application_refuses_to_load(module):
    result = _run([sys.executable, "-c", f"import {module}"], {**PRODUCTION_ENV, **NO_PROVIDER})

    assert result.returncode != 0
    assert "Refusing to start" in result.stderr
    assert "payments.E001" in result.stderr


@pytest.mark.parametrize("program", ["worker", "beat"])
def test_with_debug_off_and_no_provider_celery_refuses_to_start(program, tmp_path):
    # No REDIS_URL: the in-memory broker, so a worker that failed to refuse would idle until the timeout.
    command = [sys.executable, "-m", "celery", "-A", "cafa", program, "--loglevel=warning"]
    command += ["--pool=solo"] if program == "worker" else ["--schedule", str(tmp_path / "beat-schedule")]

    result = _run(command, {**PRODUCTION_ENV, **NO_PROVIDER}, timeout=60)

    assert result.returncode != 0
    assert "payments.E001" in result.stdout + result.stderr


def test_a_key_and_the_sandbox_together_are_refused():
    result = _manage("check", env={**PRODUCTION_ENV, "PAYMENTS_SANDBOX": "true"})

    assert result.returncode != 0
    assert "(payments.E002)" in result.stderr


def test_an_explicit_sandbox_starts_but_the_deploy_check_warns_that_tickets_are_free():
    env = {**PRODUCTION_ENV, **NO_PROVIDER, "PAYMENTS_SANDBOX": "true"}

    assert _manage("check", env=env).returncode == 0
    deploy = _manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert deploy.returncode != 0
    assert "(payments.W001)" in deploy.stderr + deploy.stdout
    assert "every ticket is free" in deploy.stderr + deploy.stdout


def test_a_paystack_test_key_in_production_is_a_deploy_warning():
    env = {**PRODUCTION_ENV, "PAYSTACK_SECRET_KEY": "sk_test_0123456789abcdef0123456789abcdef01234567"}

    deploy = _manage("check", "--deploy", "--fail-level", "WARNING", env=env)

    assert deploy.returncode != 0
    assert "(payments.W002)" in deploy.stderr + deploy.stdout


# --- The legacy Stripe settings (issue 15) ------------------------------------------------------


def test_live_stripe_keys_leave_the_deploy_check_clean():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env={**PRODUCTION_ENV, **STRIPE_LIVE})

    assert result.returncode == 0, result.stdout + result.stderr


def test_a_stripe_test_key_in_production_is_a_deploy_warning():
    env = {**PRODUCTION_ENV, **STRIPE_LIVE, "STRIPE_SECRET_KEY": "sk_test_51Qc4fAJx9TickEtS0Nly4Te5tS0000000000"}

    deploy = _manage("check", "--deploy", "--fail-level", "WARNING", env=env)

    assert deploy.returncode != 0
    assert "(payments.W003)" in deploy.stderr + deploy.stdout
    assert "test cards pay for real tickets" in deploy.stderr + deploy.stdout


def test_a_stripe_key_without_its_webhook_secret_fails_the_deploy_check():
    env = {**PRODUCTION_ENV, **STRIPE_LIVE, "STRIPE_WEBHOOK_SECRET": ""}

    assert _manage("check", env=env).returncode == 0  # the process still serves Paystack buyers
    deploy = _manage("check", "--deploy", env=env)  # an error: fails without --fail-level
    assert deploy.returncode != 0
    assert "(payments.E003)" in deploy.stderr + deploy.stdout
    assert "STRIPE_WEBHOOK_SECRET" in deploy.stderr + deploy.stdout


def test_development_needs_no_provider_settings():
    result = _manage("check", env={"DEBUG": "true"})

    assert result.returncode == 0, result.stderr
