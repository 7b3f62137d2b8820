"""Arabic->English test sets with provenance, and user-supplied parallel files.

Registry entries say where each set comes from, which side is original and which translated,
its domain, size and license. Loading returns a :class:`TestSet`: source lines, one or more
reference streams, and document ids when the set has them.

Local first: NTREX-128 dev is read from ``$NEWSWIRE_NTREX_DIR`` or ``<repo>/../shared/data/ntrex-dev``
(when neither exists, its 62 documents are cut from the downloaded full set).
Downloads (full NTREX-128, FLORES-200, TICO-19) go to ``$NEWSWIRE_CACHE`` (default
``~/.cache/newswire-mt``); IWSLT17 goes through sacrebleu's dataset API and its cache (``$SACREBLEU``).
Every download has a short timeout and fails with an :class:`EvalError` that says what to do offline.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import socket
import tarfile
import tempfile
import urllib.error
import urllib.request
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

from eval.score import EvalError, check_same_length, read_lines

REPO_ROOT = Path(__file__).resolve().parents[1]
DOWNLOAD_TIMEOUT_S = float(os.environ.get("NEWSWIRE_DOWNLOAD_TIMEOUT", "10"))


def cache_dir() -> Path:
    from mt.cache import cache_root

    return cache_root()


NTREX_ENV = "NEWSWIRE_NTREX_DIR"


def ntrex_dev_dir() -> Path:
    """The local NTREX-128 dev folder: ``$NEWSWIRE_NTREX_DIR``, else ``../shared/data/ntrex-dev``
    beside the checkout. The one place every evaluation, script and test finds it."""
    env = os.environ.get(NTREX_ENV)
    if env:
        return Path(env).expanduser()
    return REPO_ROOT.parent / "shared" / "data" / "ntrex-dev"


@dataclass(frozen=True)
class TestSetInfo:
    """Provenance of one registered test set."""

    __test__ = False  # not a pytest class, despite the name

    name: str
    description: str
    source_lang: str
    target_lang: str
    original_lang: str  # the language the text was written in; the other side is a translation
    domain: str
    size: str  # lines (and documents)
    license: str
    url: str
    citation: str
    has_docids: bool
    access: str  # "local", "download", "sacrebleu"

    @property
    def direction_note(self) -> str:
        if self.original_lang == self.source_lang:
            return "source is original text"
        return f"source is translated from {self.original_lang} (translationese); reference is the original"

    def to_dict(self) -> dict[str, Any]:
        d = {k: getattr(self, k) for k in self.__dataclass_fields__}
        d["direction"] = self.direction_note
        return d


@dataclass
class TestSet:
    """Line-aligned source, references (a list of streams) and optional document ids."""

    __test__ = False  # not a pytest class, despite the name

    name: str
    source: list[str]
    references: list[list[str]]
    docids: list[str] | None = None
    ref_names: list[str] = field(default_factory=list)
    info: TestSetInfo | None = None
    origin: str = ""  # where the lines were read from

    def __post_init__(self) -> None:
        streams = [("source", self.source)]
        streams += [(f"reference {i + 1}", r) for i, r in enumerate(self.references)]
        if self.docids is not None:
            streams.append(("doc ids", self.docids))
        check_same_length([(f"{self.name}: {n}", s) for n, s in streams])
        if not self.references:
            raise EvalError(f"test set {self.name}: no reference")
        if not self.source:
            raise EvalError(f"test set {self.name}: no lines")

    def __len__(self) -> int:
        return len(self.source)

    def head(self, n: int) -> "TestSet":
        """The first ``n`` lines (a quick smoke run)."""
        return TestSet(
            name=f"{self.name}[:{n}]",
            source=self.source[:n],
            references=[r[:n] for r in self.references],
            docids=None if self.docids is None else self.docids[:n],
            ref_names=list(self.ref_names),
            info=self.info,
            origin=self.origin,
        )

    def fingerprint(self) -> str:
        """sha256 over source, references and doc ids: two runs on the same data share it."""
        h = hashlib.sha256()
        for stream in [self.source, *self.references, self.docids or []]:
            h.update("\n".join(stream).encode("utf-8"))
            h.update(b"\x00")
        return h.hexdigest()

    def describe(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "lines": len(self.source),
            "references": len(self.references),
            "ref_names": self.ref_names,
            "documents": None if self.docids is None else len(set(self.docids)),
            "origin": self.origin,
            "sha256": self.fingerprint(),
            "provenance": None if self.info is None else self.info.to_dict(),
        }


# ------------------------------------------------------------------------------------ downloads


def download(url: str, dest: Path, *, timeout: float | None = None) -> Path:
    """Fetch ``url`` into ``dest`` (atomically), unless it is already cached. Fails fast offline."""
    if dest.is_file() and dest.stat().st_size > 0:
        return dest
    dest.parent.mkdir(parents=True, exist_ok=True)
    t = DOWNLOAD_TIMEOUT_S if timeout is None else timeout
    tmp: str | None = None
    try:
        with urllib.request.urlopen(url, timeout=t) as resp:  # noqa: S310 (fixed https URLs)
            fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=dest.name + ".")
            with os.fdopen(fd, "wb") as out:
                shutil.copyfileobj(resp, out)
        os.replace(tmp, dest)
    except (urllib.error.URLError, socket.timeout, TimeoutError, ConnectionError, OSError) as e:
        if tmp is not None and os.path.exists(tmp):
            os.unlink(tmp)
        reason = getattr(e, "reason", e)
        raise EvalError(
            f"cannot download {url} ({reason}); when offline, put the files in {dest.parent} "
            "or use a local test set (see `mt-eval testsets`)"
        ) from None
    return dest


# ------------------------------------------------------------------------------------- loaders

_NTREX_RAW = "https://raw.githubusercontent.com/MicrosoftTranslator/NTREX/main/"


# This project's NTREX-128 dev split: 62 of the 123 documents, in the full set's order, with their
# line counts (1,007 lines). Used to cut the split out of the downloaded full set when the local copy
# is absent, and to check that the cut is the same split.
_NTREX_DEV_DOCS: tuple[tuple[str, int], ...] = tuple(
    (d, int(n))
    for d, n in (item.rsplit(":", 1) for item in """
bbc.381790:16 nytimes.184853:21 guardian.221754:18 cnbc.com.6790:17 upi.176249:15
dailymail.co.uk.298732:18 newsweek.51331:21 cbsnews.248384:27 cbsnews.248387:15
reuters.218888:19 bbc.381746:27 bbc.381679:7 newsweek.51338:20 cnn.304489:13 nytimes.184860:19
bbc.381647:14 cnbc.com.6772:20 upi.176251:20 cnn.304447:15 scotsman.133765:13 guardian.221762:24
dailymail.co.uk.298692:15 reuters.218911:8 independent.226301:24 reuters.218861:25
scotsman.133791:21 dailymail.co.uk.298630:11 bbc.381701:5 bbc.381669:13 guardian.221718:23
cbsnews.248471:14 rt.com.91335:17 cnn.304478:6 telegraph.405422:14 newsweek.51328:19
bbc.381692:12 bbc.381646:26 scotsman.133758:24 scotsman.133773:27 bbc.381680:19
scotsman.133783:10 dailymail.co.uk.298622:21 dailymail.co.uk.298644:15 scotsman.133753:11
nytimes.184862:14 nytimes.184825:24 nytimes.184804:12 scotsman.133801:12 bbc.381760:6
newsweek.51339:15 abcnews.306774:21 abcnews.306755:8 independent.226349:10 bbc.381705:14
cbsnews.248411:17 bbc.381694:5 telegraph.405430:9 bbc.381749:21 bbc.381736:14 nytimes.184822:27
euronews-en.153799:10 cnn.304400:9
""".split())
)


def ntrex_documents(limit: int | None = None) -> list[tuple[str, str]]:
    """NTREX-128 dev as articles: (document id, its Arabic lines joined by newlines), in file order.

    Benchmarks and feed generators use it; raises :class:`EvalError` when the data is absent."""
    d = ntrex_dev_dir()
    if not (d / "ntrex.dev.ar").is_file():
        raise EvalError(f"NTREX-128 dev not found in {d} (set {NTREX_ENV})")
    lines = read_lines(d / "ntrex.dev.ar", what="source file")
    ids = read_lines(d / "ntrex.dev.docids", what="doc ids file")
    docs: dict[str, list[str]] = {}
    for doc, line in zip(ids, lines):
        docs.setdefault(doc, []).append(line)
    return [(doc, "\n".join(text)) for doc, text in list(docs.items())[:limit]]


def _load_ntrex_dev(refs: Sequence[str] | None = None) -> TestSet:
    d = ntrex_dev_dir()
    ref_keys = list(refs) if refs else ["en"]
    for k in ref_keys:
        if k not in ("en", "en-gb", "en-us"):
            raise EvalError(f"ntrex128-dev has references en, en-gb, en-us; got {k!r}")
    if not (d / "ntrex.dev.ar").is_file():
        try:
            full = _load_ntrex_full(ref_keys)
        except EvalError as e:
            raise EvalError(
                f"NTREX-128 dev not found in {d} (expects ntrex.dev.ar, ntrex.dev.en, ntrex.dev.docids; "
                f"set NEWSWIRE_NTREX_DIR) and the full set could not be fetched either: {e}"
            ) from None
        return _select_ntrex_dev(full)
    return TestSet(
        name="ntrex128-dev",
        source=read_lines(d / "ntrex.dev.ar", what="source file"),
        references=[read_lines(d / f"ntrex.dev.{k}", what="reference file") for k in ref_keys],
        docids=read_lines(d / "ntrex.dev.docids", what="doc ids file"),
        ref_names=ref_keys,
        info=REGISTRY["ntrex128-dev"].info,
        origin=str(d),
    )


def _select_ntrex_dev(full: TestSet) -> TestSet:
    """The dev split's lines out of the full NTREX-128 set, checked document by document."""
    from eval.score import group_by_document

    assert full.docids is not None
    wanted = dict(_NTREX_DEV_DOCS)
    idx = [i for i, doc in enumerate(full.docids) if doc in wanted]
    got = [(doc, len(lines)) for doc, lines in group_by_document([full.docids[i] for i in idx]).items()]
    if got != list(_NTREX_DEV_DOCS):
        raise EvalError(
            f"the NTREX-128 files in {full.origin} do not contain this project's dev split "
            f"(expected {len(_NTREX_DEV_DOCS)} documents, {sum(wanted.values())} lines)"
        )
    return TestSet(
        name="ntrex128-dev",
        source=[full.source[i] for i in idx],
        references=[[r[i] for i in idx] for r in full.references],
        docids=[full.docids[i] for i in idx],
        ref_names=list(full.ref_names),
        info=REGISTRY["ntrex128-dev"].info,
        origin=f"{full.origin} (dev documents selected from the full set)",
    )


def _load_ntrex_full(refs: Sequence[str] | None = None) -> TestSet:
    d = cache_dir() / "ntrex128"
    files = {
        "ar": "NTREX-128/newstest2019-ref.arb.txt",
        "en": "NTREX-128/newstest2019-src.eng.txt",
        "en-gb": "NTREX-128/newstest2019-ref.eng-GB.txt",
        "en-us": "NTREX-128/newstest2019-ref.eng-US.txt",
        "docids": "DOCUMENT_IDS.tsv",
    }
    ref_keys = list(refs) if refs else ["en"]
    for k in ref_keys:
        if k not in ("en", "en-gb", "en-us"):
            raise EvalError(f"ntrex128 has references en, en-gb, en-us; got {k!r}")
    paths = {}
    for key in ["ar", *ref_keys, "docids"]:
        paths[key] = download(_NTREX_RAW + files[key], d / Path(files[key]).name)
    docids = [line.split("\t")[0] for line in read_lines(paths["docids"], what="doc ids file")]
    return TestSet(
        name="ntrex128",
        source=read_lines(paths["ar"], what="source file"),
        references=[read_lines(paths[k], what="reference file") for k in ref_keys],
        docids=docids,
        ref_names=ref_keys,
        info=REGISTRY["ntrex128"].info,
        origin=str(d),
    )


_FLORES_URL = "https://dl.fbaipublicfiles.com/nllb/flores200_dataset.tar.gz"


def _load_flores200(refs: Sequence[str] | None = None) -> TestSet:
    d = cache_dir() / "flores200"
    src_p, ref_p, meta_p = d / "arb_Arab.devtest", d / "eng_Latn.devtest", d / "metadata_devtest.tsv"
    if not (src_p.is_file() and ref_p.is_file()):
        tarball = download(_FLORES_URL, d / "flores200_dataset.tar.gz", timeout=max(DOWNLOAD_TIMEOUT_S, 10))
        wanted = {
            "flores200_dataset/devtest/arb_Arab.devtest": src_p,
            "flores200_dataset/devtest/eng_Latn.devtest": ref_p,
            "flores200_dataset/metadata_devtest.tsv": meta_p,
        }
        with tarfile.open(tarball) as tf:
            for member in tf.getmembers():
                if member.name in wanted and member.isfile():
                    fh = tf.extractfile(member)
                    assert fh is not None
                    wanted[member.name].write_bytes(fh.read())
        if not (src_p.is_file() and ref_p.is_file()):
            raise EvalError(f"{tarball}: devtest/arb_Arab.devtest or eng_Latn.devtest missing from the archive")
    docids = None
    if meta_p.is_file():
        rows = read_lines(meta_p, what="FLORES metadata")
        if rows and rows[0].lower().startswith("url"):
            rows = rows[1:]
        docids = [r.split("\t")[0] for r in rows]
    src = read_lines(src_p, what="source file")
    if docids is not None and len(docids) != len(src):
        docids = None
    return TestSet(
        name="flores200-devtest",
        source=src,
        references=[read_lines(ref_p, what="reference file")],
        docids=docids,
        ref_names=["en"],
        info=REGISTRY["flores200-devtest"].info,
        origin=str(d),
    )


_TICO_URL = "https://tico-19.github.io/data/tico19-testset.zip"


def _load_tico19(refs: Sequence[str] | None = None) -> TestSet:
    d = cache_dir() / "tico19"
    tsv = d / "test.en-ar.tsv"
    if not tsv.is_file():
        zpath = download(_TICO_URL, d / "tico19-testset.zip")
        with zipfile.ZipFile(zpath) as zf:
            names = [n for n in zf.namelist() if n.endswith("test/test.en-ar.tsv")]
            if not names:
                raise EvalError(f"{zpath}: test/test.en-ar.tsv missing from the archive")
            tsv.write_bytes(zf.read(names[0]))
    src, ref, docids = [], [], []
    for i, row in enumerate(read_lines(tsv, what="TICO-19 file")):
        cols = row.split("\t")
        if i == 0 and cols[0] == "sourceLang":
            continue
        if len(cols) < 4:
            raise EvalError(f"{tsv}: line {i + 1} has {len(cols)} columns, expected at least 4")
        # sourceLang targetLang sourceString(en) targetString(ar) stringID url license translator
        ref.append(cols[2].strip())
        src.append(cols[3].strip())
        docids.append(cols[5].strip() if len(cols) > 5 else "")
    return TestSet(
        name="tico19-test",
        source=src,
        references=[ref],
        docids=docids if all(docids) else None,
        ref_names=["en"],
        info=REGISTRY["tico19-test"].info,
        origin=str(tsv),
    )


def _load_iwslt17(refs: Sequence[str] | None = None) -> TestSet:
    from sacrebleu.dataset import DATASETS

    ds = DATASETS["iwslt17"]
    old = socket.getdefaulttimeout()
    socket.setdefaulttimeout(DOWNLOAD_TIMEOUT_S)  # sacrebleu's urlopen has no timeout of its own
    try:
        src_file = ds.get_source_file("ar-en")
        ref_files = ds.get_reference_files("ar-en")
    except SystemExit:
        raise EvalError("sacrebleu could not download iwslt17 (SSL error); see its log above") from None
    except Exception as e:  # sacrebleu raises URLError and friends unwrapped
        raise EvalError(
            f"cannot get iwslt17 ar-en through sacrebleu ({getattr(e, 'reason', e)}); "
            "when offline, pre-fill sacrebleu's cache ($SACREBLEU, default ~/.sacrebleu)"
        ) from None
    finally:
        socket.setdefaulttimeout(old)
    return TestSet(
        name="iwslt17",
        source=read_lines(src_file, what="source file"),
        references=[read_lines(f, what="reference file") for f in ref_files],
        ref_names=["en"],
        info=REGISTRY["iwslt17"].info,
        origin=os.path.dirname(src_file),
    )


@dataclass(frozen=True)
class _Entry:
    info: TestSetInfo
    loader: Callable[..., TestSet]


_NTREX_CITATION = "Federmann, Kocmi and Xin (2022), NTREX-128 - News Test References for MT Evaluation of 128 Languages"

REGISTRY: dict[str, _Entry] = {
    "ntrex128-dev": _Entry(
        TestSetInfo(
            name="ntrex128-dev",
            description="NTREX-128 dev split used by this project: 62 of the 123 newstest2019 documents",
            source_lang="ar",
            target_lang="en",
            original_lang="en",
            domain="news",
            size="1,007 lines, 62 documents",
            license="CC BY-SA 4.0",
            url="local: $NEWSWIRE_NTREX_DIR or ../shared/data/ntrex-dev; else cut from the downloaded full set",
            citation=_NTREX_CITATION,
            has_docids=True,
            access="local or download",
        ),
        _load_ntrex_dev,
    ),
    "ntrex128": _Entry(
        TestSetInfo(
            name="ntrex128",
            description="NTREX-128 full: newstest2019 English source translated into Arabic (and 127 others)",
            source_lang="ar",
            target_lang="en",
            original_lang="en",
            domain="news",
            size="1,997 lines, 123 documents",
            license="CC BY-SA 4.0",
            url="https://github.com/MicrosoftTranslator/NTREX",
            citation=_NTREX_CITATION,
            has_docids=True,
            access="download",
        ),
        _load_ntrex_full,
    ),
    "flores200-devtest": _Entry(
        TestSetInfo(
            name="flores200-devtest",
            description="FLORES-200 devtest, arb_Arab -> eng_Latn",
            source_lang="ar",
            target_lang="en",
            original_lang="en",
            domain="Wikinews, Wikijunior, Wikivoyage",
            size="1,012 lines",
            license="CC BY-SA 4.0",
            url=_FLORES_URL,
            citation="NLLB Team (2022), No Language Left Behind; Goyal et al. (2022), The FLORES-101 benchmark",
            has_docids=True,
            access="download",
        ),
        _load_flores200,
    ),
    "tico19-test": _Entry(
        TestSetInfo(
            name="tico19-test",
            description="TICO-19 test, COVID-19 domain, English originals translated into Arabic",
            source_lang="ar",
            target_lang="en",
            original_lang="en",
            domain="health (COVID-19): news, Wikipedia, PubMed, government notices",
            size="2,100 lines",
            license="CC0",
            url=_TICO_URL,
            citation="Anastasopoulos et al. (2020), TICO-19: the Translation Initiative for COvid-19",
            has_docids=True,
            access="download",
        ),
        _load_tico19,
    ),
    "iwslt17": _Entry(
        TestSetInfo(
            name="iwslt17",
            description="IWSLT 2017 TED tst2017 ar-en, via sacrebleu's dataset API",
            source_lang="ar",
            target_lang="en",
            original_lang="en",
            domain="TED talks (spoken, transcribed)",
            size="1,153 lines",
            license="CC BY-NC-ND 4.0 (TED)",
            url="sacrebleu -t iwslt17 -l ar-en",
            citation="Cettolo et al. (2017), Overview of the IWSLT 2017 Evaluation Campaign",
            has_docids=False,
            access="sacrebleu",
        ),
        _load_iwslt17,
    ),
}


def list_testsets() -> list[TestSetInfo]:
    return [e.info for e in REGISTRY.values()]


def load_testset(name: str, refs: Sequence[str] | None = None) -> TestSet:
    """A registered test set by name, or a user file (``.tsv`` / ``.jsonl``) by path."""
    if name in REGISTRY:
        return REGISTRY[name].loader(refs)
    p = Path(name)
    if p.suffix.lower() in (".tsv", ".jsonl", ".json") or p.is_file():
        return load_user_file(p)
    raise EvalError(f"unknown test set {name!r}; known: {', '.join(REGISTRY)} (or a .tsv/.jsonl file)")


def load_parallel(
    src: str | os.PathLike[str],
    refs: Sequence[str | os.PathLike[str]],
    docids: str | os.PathLike[str] | None = None,
    name: str | None = None,
) -> TestSet:
    """User test set from plain-text files: one segment per line, line-aligned."""
    if not refs:
        raise EvalError("at least one reference file is needed (--ref)")
    streams = [(f"source file {os.fspath(src)}", read_lines(src, what="source file"))]
    streams += [(f"reference file {os.fspath(r)}", read_lines(r, what="reference file")) for r in refs]
    if docids is not None:
        streams.append((f"doc ids file {os.fspath(docids)}", read_lines(docids, what="doc ids file")))
    check_same_length(streams)
    return TestSet(
        name=name or Path(src).name,
        source=streams[0][1],
        references=[s for _, s in streams[1 : 1 + len(refs)]],
        docids=streams[-1][1] if docids is not None else None,
        ref_names=[Path(r).name for r in refs],
        origin=os.fspath(src),
    )


_HEADER_KEYS = {"src", "source", "ref", "reference", "docid", "doc_id", "doc"}


def load_user_file(path: str | os.PathLike[str]) -> TestSet:
    """TSV (``src<TAB>ref[<TAB>ref...]``, or any column order under a header naming ``src``, ``ref``/``ref2``..,
    ``docid``) or JSONL (one object a line: ``{"src": ..., "ref": str | [str, ...], "docid": ...}``)."""
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix in (".jsonl", ".json"):
        return _load_jsonl(p)
    if suffix == ".tsv":
        return _load_tsv(p)
    raise EvalError(f"{p}: unknown test set format; use .tsv or .jsonl, or --src/--ref for plain text files")


def _load_tsv(p: Path) -> TestSet:
    rows = [line.split("\t") for line in read_lines(p, what="TSV file")]
    header = [c.strip().lower() for c in rows[0]]
    if all(c in _HEADER_KEYS or c.startswith("ref") for c in header) and ("src" in header or "source" in header):
        rows = rows[1:]
        src_i = header.index("src") if "src" in header else header.index("source")
        ref_is = [i for i, c in enumerate(header) if c.startswith("ref")]
        doc_i = next((i for i, c in enumerate(header) if c in ("docid", "doc_id", "doc")), None)
        first = 2
    else:
        src_i, ref_is, doc_i = 0, list(range(1, len(rows[0]))), None
        first = 1
    if not ref_is:
        raise EvalError(f"TSV file {p}: no reference column (expected src<TAB>ref)")
    width = max([src_i, *ref_is, -1 if doc_i is None else doc_i]) + 1
    src, refs, docids = [], [[] for _ in ref_is], []
    for n, cols in enumerate(rows, first):
        if len(cols) < width:
            raise EvalError(f"TSV file {p}: line {n} has {len(cols)} columns, expected {width}")
        src.append(cols[src_i].strip())
        for k, i in enumerate(ref_is):
            refs[k].append(cols[i].strip())
        if doc_i is not None:
            docids.append(cols[doc_i].strip())
    if not src:
        raise EvalError(f"TSV file {p}: no data lines")
    return TestSet(name=p.name, source=src, references=refs, docids=docids if doc_i is not None else None, origin=str(p))


def _load_jsonl(p: Path) -> TestSet:
    src: list[str] = []
    refs: list[list[str]] | None = None
    docids: list[str] = []
    has_doc = None
    for n, line in enumerate(read_lines(p, what="JSONL file"), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as e:
            raise EvalError(f"JSONL file {p}: line {n} is not valid JSON ({e.msg})") from None
        if not isinstance(obj, dict) or "src" not in obj or not ({"ref", "refs"} & obj.keys()):
            raise EvalError(f"JSONL file {p}: line {n} needs an object with \"src\" and \"ref\"")
        r = obj.get("ref", obj.get("refs"))
        r = [r] if isinstance(r, str) else list(r)
        if refs is None:
            refs = [[] for _ in r]
        if len(r) != len(refs):
            raise EvalError(f"JSONL file {p}: line {n} has {len(r)} references, earlier lines have {len(refs)}")
        src.append(str(obj["src"]).strip())
        for k, x in enumerate(r):
            refs[k].append(str(x).strip())
        doc = obj.get("docid", obj.get("doc_id"))
        if has_doc is None:
            has_doc = doc is not None
        if has_doc != (doc is not None):
            raise EvalError(f"JSONL file {p}: line {n}: \"docid\" must be given on every line or none")
        if doc is not None:
            docids.append(str(doc))
    if refs is None:
        raise EvalError(f"JSONL file {p}: no data lines")
    return TestSet(name=p.name, source=src, references=refs, docids=docids if has_doc else None, origin=str(p))


def format_testsets_table(infos: Sequence[TestSetInfo]) -> str:
    out = io.StringIO()
    for info in infos:
        out.write(f"{info.name}  [{info.source_lang}->{info.target_lang}, {info.access}]\n")
        out.write(f"    {info.description}\n")
        out.write(f"    original: {info.original_lang} ({info.direction_note}); domain: {info.domain}\n")
        out.write(f"    size: {info.size}; license: {info.license}; doc ids: {'yes' if info.has_docids else 'no'}\n")
        out.write(f"    from: {info.url}\n    cite: {info.citation}\n")
    return out.getvalue().rstrip("\n")
