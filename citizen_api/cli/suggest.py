"""`flask --app citizen_api suggest train|check|try`: the service suggester from the shell."""

from __future__ import annotations

import sys

import click
from flask import Flask


def register(app: Flask) -> None:
    @app.cli.group("suggest")
    def suggest_group():
        """The service suggester (data/suggest_corpus.tsv -> data/suggest_model.json)."""

    @suggest_group.command("train")
    def train():
        """Retrain the model from the corpus and write data/suggest_model.json."""
        from citizen_api.domain.suggest_train import main

        sys.exit(main([]))

    @suggest_group.command("check")
    def check():
        """Exit 1 if the shipped model is not what training the corpus gives."""
        from citizen_api.domain.suggest_train import main

        sys.exit(main(["--check"]))

    @suggest_group.command("try")
    @click.argument("text")
    def try_text(text):
        """Print the three likeliest services for TEXT and the language detected."""
        from citizen_api.domain.suggest import detect_language, suggest

        click.echo(f"language: {detect_language(text)}")
        for code, score in suggest(text):
            click.echo(f"{score:.3f}  {code}")
