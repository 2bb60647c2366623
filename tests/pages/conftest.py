"""The pages' tests sign in to the console like its own tests do."""

from tests.staff.conftest import (  # noqa: F401 — the console's sign-in fixtures
    default_hash,
    login_as,
    make_staff,
    post_form,
    sign_in,
)
