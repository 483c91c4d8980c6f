"""The demo district and the scale generator are for development and the tests only: both make
accounts with a published password, so the production settings install neither."""

import os
import subprocess
import sys

from django.conf import settings
from django.core.management.utils import get_random_secret_key

from jianfu.core import crypto


def test_production_installs_neither_the_demo_nor_the_scale_generator():
    # The production settings refuse to load without what production needs (tests/test_load.py),
    # and they are read once per process: so in a fresh interpreter with a valid environment.
    env = {
        "PATH": os.environ["PATH"],
        "SECRET_KEY": get_random_secret_key(),
        "ALLOWED_HOSTS": "jianfu.example.gov.cn",
        "DATABASE_URL": "postgres://jianfu@127.0.0.1:5432/jianfu",
        "JIANFU_PII_KEYS": crypto.generate_key(),
    }
    script = "import jianfu.settings_production as s; print('\\n'.join(s.INSTALLED_APPS))"
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    installed = done.stdout.split()
    assert "jianfu.core" in installed and "jianfu.portal" in installed
    assert "jianfu.demo" not in installed and "jianfu.scale" not in installed


def test_development_and_the_tests_install_the_demo():
    assert "jianfu.demo" in settings.INSTALLED_APPS
