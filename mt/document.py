"""Records that carry an article through the pipeline, keeping alignment to the original text.

Data flows article -> paragraphs -> sentences -> (chunks) -> translations. Every record keeps a
character span into the *original* article text, so any output can be traced back to its source
and nothing is ever silently dropped.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any, Callable, Iterable, Iterator

Span = tuple[int, int]


def trim_span(text: str, start: int, end: int) -> Span | None:
    """``(start, end)`` narrowed past whitespace at both ends; None when only whitespace is left."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if start < end else None


@dataclass(frozen=True)
class Edit:
    """One change the repair stage made: ``original[start:end]`` (== ``before``) became ``after``.

    Offsets are into the text the repair step was given (the article text for article-level edits).
    """

    start: int
    end: int
    before: str
    after: str
    rule: str

    def shifted(self, offset: int) -> "Edit":
        """The same edit with offsets moved by ``offset`` (paragraph-local -> article offsets)."""
        return Edit(self.start + offset, self.end + offset, self.before, self.after, self.rule)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Sentence:
    """One segment the model translates as a unit.

    ``span`` indexes the original article text; ``source`` is that slice verbatim.
    ``repaired`` is the user-visible repaired text; ``model_inputs`` are the strings actually given to
    the model after model-side normalisation (more than one when an over-long sentence was chunked),
    and ``input_ids`` their token ids (tokenised once, carried to the engine).
    After translation: ``cached`` (every chunk came from the sentence cache), ``score`` (the model's
    mean log-probability per token, where the engine gives it), ``truncated`` (decoding stopped at
    the length cap) and ``qa`` (the flags an editor should look at).
    """

    span: Span
    source: str
    repaired: str
    model_inputs: list[str] = field(default_factory=list)
    translation: str | None = None
    edits: list[Edit] = field(default_factory=list)
    input_ids: list[tuple[int, ...]] = field(default_factory=list, repr=False, compare=False)
    cached: bool = False
    score: float | None = None
    truncated: bool = False
    qa: list[Any] = field(default_factory=list)

    @property
    def chunked(self) -> bool:
        return len(self.model_inputs) > 1

    def to_dict(self) -> dict[str, Any]:
        return {
            "span": list(self.span),
            "source": self.source,
            "repaired": self.repaired,
            "model_inputs": list(self.model_inputs),
            "chunked": self.chunked,
            "translation": self.translation,
            "cached": self.cached,
            "score": None if self.score is None else round(self.score, 4),
            "truncated": self.truncated,
            "qa": [f.to_dict() for f in self.qa],
            "edits": [e.to_dict() for e in self.edits],
        }


@dataclass
class Paragraph:
    """A non-empty line of the input; sentences are in reading order."""

    span: Span
    sentences: list[Sentence] = field(default_factory=list)
    edits: list[Edit] = field(default_factory=list)  # all repairs, including those between sentences

    @property
    def repaired(self) -> str:
        return " ".join(s.repaired for s in self.sentences)

    @property
    def translation(self) -> str:
        return " ".join(s.translation for s in self.sentences if s.translation)

    def to_dict(self) -> dict[str, Any]:
        return {
            "span": list(self.span),
            "translation": self.translation,
            "sentences": [s.to_dict() for s in self.sentences],
        }


@dataclass
class Article:
    """The whole input text and its paragraphs.

    ``text`` is the input exactly as given. Paragraph spans cover every non-blank line; the text
    between sentence spans holds only whitespace and invisible marks the repair removed.
    """

    text: str
    paragraphs: list[Paragraph] = field(default_factory=list)

    @property
    def sentences(self) -> list[Sentence]:
        return [s for p in self.paragraphs for s in p.sentences]

    @property
    def edits(self) -> list[Edit]:
        return [e for p in self.paragraphs for e in p.edits]

    @property
    def translation(self) -> str:
        """The translation laid out like the input: one output line per input line (blank lines kept)."""
        return "".join(iter_layout(self.text, self.paragraphs, lambda p: p.translation))

    @property
    def repaired(self) -> str:
        """The repaired text laid out like the input, one line per input line."""
        return "".join(iter_layout(self.text, self.paragraphs, lambda p: p.repaired))

    @property
    def qa_counts(self) -> dict[str, int]:
        """Flagged sentences per QA check."""
        counts: dict[str, int] = {}
        for s in self.sentences:
            for name in {f.check for f in s.qa}:
                counts[name] = counts.get(name, 0) + 1
        return counts

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "translation": self.translation,
            "qa": self.qa_counts,
            "paragraphs": [p.to_dict() for p in self.paragraphs],
        }


# Only "\n" and "\r\n" end a line; other separators (U+2028, U+2029, a bare CR, NEL, VT, FF...)
# inside a line are whitespace. Both commands and the batch runner keep this one rule.
LINE_BREAK = re.compile(r"\r?\n")


def count_line_breaks(s: str) -> int:
    return len(LINE_BREAK.findall(s))


def iter_layout(
    text: str,
    paragraphs: Iterable[Paragraph],
    render: Callable[[Paragraph], str],
    *,
    final_newline: bool = False,
) -> Iterator[str]:
    """Rendered paragraphs laid out like ``text``: the line breaks between them copied as they are
    (blank lines kept, CRLF stays CRLF), so output line i answers input line i. Works on a stream
    of paragraphs (yielded as each is done). ``final_newline`` ends a non-empty output that the
    input left unterminated with the input's line-break style."""
    pos = 0
    wrote = ""
    for p in paragraphs:
        gap = "".join(LINE_BREAK.findall(text[pos : p.span[0]]))
        wrote = gap + render(p)
        yield wrote
        pos = p.span[1]
    tail = "".join(LINE_BREAK.findall(text[pos:]))
    if tail:
        yield tail
    elif final_newline and wrote:
        m = LINE_BREAK.search(text)
        yield m.group() if m else "\n"
