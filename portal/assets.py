"""Static files served fingerprinted, compressed and cached for a year.

``flask --app app build-static`` copies each file of ``static/`` to ``STATIC_BUILD_DIR`` under a
name carrying a hash of its content (``portal.3f2a9c1d0e7b.css``), writes gzip and brotli
variants beside it, and a manifest from plain to fingerprinted names. When a manifest exists,
``url_for('static', filename=…)`` names the fingerprinted file, and WhiteNoise serves it as
immutable (a changed file has a new name, so a year-long cache is never stale) in the encoding
the browser accepts. Without a build (a fresh clone, the tests), pages name the plain files and
Flask serves them as before.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from whitenoise import WhiteNoise
from whitenoise.compress import Compressor

MANIFEST = "manifest.json"
FILES = "files"


def init_app(app: Flask) -> None:
    """Serve a build of the static files when there is one. Reads a local file, nothing else."""
    app.cli.add_command(build_static)
    build = Path(app.config["STATIC_BUILD_DIR"])
    try:
        manifest = json.loads((build / MANIFEST).read_text())
    except (FileNotFoundError, ValueError):
        return
    app.url_defaults(lambda endpoint, values: _fingerprint(manifest, endpoint, values))
    app.wsgi_app = WhiteNoise(
        app.wsgi_app,
        root=build / FILES,
        prefix=app.static_url_path,
        immutable_file_test=lambda _path, _url: True,  # every name in the build is a hash
        add_headers_function=_nosniff,
    )


def build(source: Path, target: Path) -> dict[str, str]:
    """Fingerprint and compress every file under ``source`` into ``target``; the manifest."""
    files = target / FILES
    shutil.rmtree(files, ignore_errors=True)
    compressor = Compressor(quiet=True)
    manifest = {}
    for path in sorted(p for p in source.rglob("*") if p.is_file()):
        name = path.relative_to(source).as_posix()
        digest = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
        fingerprinted = str(Path(name).with_suffix(f".{digest}{path.suffix}").as_posix())
        copy = files / fingerprinted
        copy.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, copy)
        if compressor.should_compress(copy.name):
            compressor.compress(str(copy))
        manifest[name] = fingerprinted
    # Written last and whole: a worker starting mid-build reads the old manifest or the new one.
    staged = target / f"{MANIFEST}.tmp"
    staged.write_text(json.dumps(manifest, indent=1, sort_keys=True))
    staged.replace(target / MANIFEST)
    return manifest


@click.command("build-static")
@with_appcontext
def build_static():
    """Fingerprint and compress the static files (run at each deployment)."""
    target = Path(current_app.config["STATIC_BUILD_DIR"])
    manifest = build(Path(current_app.static_folder), target)
    click.echo(f"{len(manifest)} static files built in {target}")


def _fingerprint(manifest: dict[str, str], endpoint: str | None, values: dict) -> None:
    if endpoint == "static" and values.get("filename") in manifest:
        values["filename"] = manifest[values["filename"]]


def _nosniff(headers, _path: str, _url: str) -> None:
    headers["X-Content-Type-Options"] = "nosniff"
