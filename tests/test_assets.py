"""Static files: fingerprinted names, a year of caching, and the encoding the browser accepts."""

from __future__ import annotations

import gzip
import re

import brotli
import pytest

from portal import create_app, dispose
from portal.assets import build


@pytest.fixture
def built_app(app_config, tmp_path, repo_root):
    target = tmp_path / "built"
    build(repo_root / "static", target)
    app = create_app({**app_config, "STATIC_BUILD_DIR": str(target)})
    yield app
    dispose(app)


def _stylesheet(client) -> str:
    html = client.get("/").get_data(as_text=True)
    return re.search(r'<link rel="stylesheet" href="([^"]+)"', html).group(1)


def test_pages_name_the_fingerprinted_stylesheet(built_app):
    href = _stylesheet(built_app.test_client())

    assert re.fullmatch(r"/static/portal\.[0-9a-f]{12}\.css", href)


def test_fingerprinted_files_are_cached_for_a_year_as_immutable(built_app, repo_root):
    client = built_app.test_client()

    with client.get(_stylesheet(client)) as response:
        body, headers = response.get_data(), response.headers

    assert response.status_code == 200
    cache = headers["Cache-Control"]
    assert "immutable" in cache and "public" in cache
    assert int(re.search(r"max-age=(\d+)", cache).group(1)) >= 365 * 24 * 3600
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert body == (repo_root / "static" / "portal.css").read_bytes()


@pytest.mark.parametrize(
    ("encoding", "decode"), [("br", brotli.decompress), ("gzip", gzip.decompress)]
)
def test_the_browser_gets_the_encoding_it_accepts(built_app, repo_root, encoding, decode):
    client = built_app.test_client()

    with client.get(_stylesheet(client), headers={"Accept-Encoding": encoding}) as response:
        body, headers = response.get_data(), response.headers

    assert headers["Content-Encoding"] == encoding
    assert decode(body) == (repo_root / "static" / "portal.css").read_bytes()


def test_a_changed_file_gets_a_new_name(tmp_path):
    source = tmp_path / "static"
    source.mkdir()
    (source / "site.css").write_text("body { color: black }")
    first = build(source, tmp_path / "out")["site.css"]
    (source / "site.css").write_text("body { color: navy }")

    second = build(source, tmp_path / "out")["site.css"]

    assert first != second
    assert not (tmp_path / "out" / "files" / first).exists()


def test_without_a_build_pages_name_the_plain_files(client):
    assert _stylesheet(client) == "/static/portal.css"
    with client.get("/static/portal.css") as response:
        assert response.status_code == 200


def test_the_command_builds_what_the_app_then_serves(app_config, tmp_path):
    target = tmp_path / "cli-build"
    app = create_app({**app_config, "STATIC_BUILD_DIR": str(target)})

    result = app.test_cli_runner().invoke(args=["build-static"])

    assert result.exit_code == 0, result.output
    assert (target / "manifest.json").exists()
    dispose(app)
