"""The CLI's piped console: a sentence stays on one line whatever the width, so logs can be grepped."""

from __future__ import annotations

import io

import pytest

from carecoord.lazy_console import LazyConsole


def test_piped_prose_is_never_wrapped(monkeypatch: pytest.MonkeyPatch) -> None:
    """With COLUMNS narrower than the sentence, a piped console still writes it on one line."""
    monkeypatch.setenv("COLUMNS", "40")
    console = LazyConsole(wide_when_piped=True)
    buffer = io.StringIO()
    console.console.file = buffer  # a StringIO is not a terminal, as a pipe is not
    sentence = "/a/long/path/to/scenario.yaml: valid — 'tiny', 2 localities, 155 patients, arms baseline"
    console.print(sentence, highlight=False)
    assert console.is_terminal is False
    assert buffer.getvalue() == sentence + "\n"
