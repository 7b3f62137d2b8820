"""Offline MarianMT test models: random weights, real SentencePiece tokenisers, real file layout.

``make_test_model(outdir)`` writes a directory that loads exactly like a downloaded OPUS-MT model
(``MarianMTModel.from_pretrained(dir)`` + ``MarianTokenizer.from_pretrained(dir)``), so tests and
benchmarks exercise the same code path a real model takes, with no network.

Layout, matching Helsinki-NLP/opus-mt-ar-en:

* ``source.spm`` (Arabic) and ``target.spm`` (English): SentencePiece unigram models trained on a
  small built-in corpus (the sample article in ``examples/`` plus sentences written for this module;
  for ``size="opus"`` also deterministic synthetic pseudo-words, so the vocabulary can reach ~60k).
* ``vocab.json``: one joint vocabulary, ``</s>`` = 0, ``<unk>`` = 1, source and target pieces, and
  ``<pad>`` as the **last** id. ``pad_token_id`` = ``decoder_start_token_id`` = that last id, and its
  embedding row is zero (Marian starts the decoder from a zero embedding; CTranslate2 relies on it).
* ``config.json`` / ``generation_config.json``: a ``MarianConfig`` (``tiny``: d_model 64, 2+2
  layers; ``opus``: d_model 512, 6+6 layers, 8 heads, FFN 2048, 512 positions, swish) and the OPUS-MT
  generation defaults (``num_beams=4``, ``max_length=512``, ``forced_eos_token_id=0``,
  ``bad_words_ids=[[pad]]``).

Weights are random but deterministic for a seed. With ``tie_embeddings=False`` the output projection
is a separate random matrix, which makes a random model's outputs vary from sentence to sentence
(a tied random model tends to repeat one token, which makes parity checks trivially true).

Vocabulary sizes obtained (seed 0): tiny 655 (builds in ~5 s); opus 61,071 (opus-mt-ar-en: 62,834),
trained on frequency-drawn real words from ``wordfreq`` so that news text segments like a real
OPUS-MT vocabulary (NTREX dev: ~1.6 source tokens per word); building it takes ~5 minutes, most of it
single-threaded SentencePiece training (kept single-threaded so the result is deterministic).
``scripts/make_test_model.py`` prints the size; ``config.json`` stores it.
"""

from __future__ import annotations

import io
import json
import random
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SAMPLE_ARTICLE = REPO / "examples" / "aleppo-2016.ar.txt"

SIZES = ("tiny", "opus")
# per-side SentencePiece vocabulary requested (the joint vocab is the union plus specials)
SPM_VOCAB = {"tiny": 600, "opus": 31000}

ARCH = {
    "tiny": dict(
        d_model=64,
        encoder_layers=2,
        decoder_layers=2,
        encoder_attention_heads=4,
        decoder_attention_heads=4,
        encoder_ffn_dim=128,
        decoder_ffn_dim=128,
        max_position_embeddings=512,
    ),
    "opus": dict(
        d_model=512,
        encoder_layers=6,
        decoder_layers=6,
        encoder_attention_heads=8,
        decoder_attention_heads=8,
        encoder_ffn_dim=2048,
        decoder_ffn_dim=2048,
        max_position_embeddings=512,
    ),
}

# Sentences written for this module (not taken from any dataset).
ARABIC_SENTENCES = """\
قال وزير الخارجية إن المحادثات ستستأنف الأسبوع المقبل في جنيف.
أعلنت الحكومة عن خطة جديدة لدعم المزارعين في المناطق الريفية.
ارتفعت أسعار النفط بنسبة ثلاثة في المئة يوم الثلاثاء.
وصل الرئيس إلى العاصمة في زيارة رسمية تستمر يومين.
أفادت وكالة الأنباء بأن الأمطار الغزيرة تسببت في فيضانات واسعة.
قالت الشرطة إنها اعتقلت خمسة أشخاص بعد الاحتجاجات.
يعقد مجلس الأمن جلسة طارئة مساء اليوم لبحث الوضع في المنطقة.
سجلت البورصة أعلى مستوى لها منذ عشر سنوات.
أكد المتحدث باسم الوزارة أن المفاوضات ما زالت مستمرة.
افتتح المعرض الدولي للكتاب أبوابه أمام الزوار صباح الخميس.
قتل ثلاثة مدنيين وأصيب عشرة آخرون في انفجار وسط المدينة.
ذكر التقرير أن معدل البطالة انخفض إلى سبعة في المئة.
وقعت الدولتان اتفاقية للتعاون في مجالي الطاقة والتعليم.
فاز المنتخب الوطني على نظيره بهدفين مقابل هدف واحد.
دعت الأمم المتحدة إلى وقف فوري لإطلاق النار.
قال شهود عيان إن الطائرات قصفت عدة أحياء سكنية.
يتوقع خبراء الأرصاد طقسا حارا خلال عطلة نهاية الأسبوع.
أعلن البنك المركزي رفع سعر الفائدة بمقدار ربع نقطة.
نزح آلاف السكان من منازلهم هربا من القتال.
هل ستشارك المعارضة في الانتخابات المقبلة؟
أغلقت المدارس أبوابها بسبب العاصفة الثلجية.
بلغ عدد الزوار أكثر من مليون ونصف المليون شخص في عام 2019.
وأشار البيان إلى أن المساعدات الإنسانية ستصل خلال أيام.
انتقد النواب مشروع القانون الجديد خلال جلسة البرلمان.
قالت الشركة إن أرباحها تضاعفت في الربع الأول من العام.
"""

ENGLISH_SENTENCES = """\
The foreign minister said the talks would resume next week in Geneva.
The government announced a new plan to support farmers in rural areas.
Oil prices rose by three percent on Tuesday.
The president arrived in the capital on a two-day official visit.
The news agency reported that heavy rain caused widespread flooding.
Police said they had arrested five people after the protests.
The Security Council holds an emergency session this evening to discuss the situation in the region.
The stock exchange recorded its highest level in ten years.
The ministry spokesman confirmed that negotiations are still continuing.
The international book fair opened its doors to visitors on Thursday morning.
Three civilians were killed and ten others wounded in an explosion in the city centre.
The report said the unemployment rate fell to seven percent.
The two countries signed an agreement on cooperation in energy and education.
The national team beat its rival two goals to one.
The United Nations called for an immediate ceasefire.
Witnesses said aircraft bombed several residential neighbourhoods.
Forecasters expect hot weather over the weekend.
The central bank announced a quarter-point rise in the interest rate.
Thousands of residents fled their homes to escape the fighting.
Will the opposition take part in the coming elections?
Schools closed because of the snowstorm.
More than one and a half million people visited in 2019.
The statement noted that humanitarian aid would arrive within days.
Lawmakers criticised the new bill during the parliamentary session.
The company said its profits doubled in the first quarter of the year.
Fighting intensified on several fronts in the city of Aleppo yesterday.
Russian and Syrian aircraft continued to bomb the city and its countryside.
The British foreign secretary described the bombing of hospitals as a war crime.
The French minister said the international community must be firmer with Russia.
Activists said dozens of air strikes hit neighbourhoods of the city.
"""

_AR_LETTERS = "ابتثجحخدذرزسشصضطظعغفقكلمنهويءآأإؤئةى"
_EN_LETTERS = "etaoinshrdlcumwfgypbvkjxqz"


def _synthetic_lines(letters: str, n_words: int, n_lines: int, rng: random.Random) -> list[str]:
    """Deterministic pseudo-text: a Zipf-like draw over ``n_words`` random letter strings."""
    words = set()
    while len(words) < n_words:
        words.add("".join(rng.choice(letters) for _ in range(rng.randint(3, 9))))
    vocab = sorted(words)
    rng.shuffle(vocab)
    weights = [1.0 / (i + 1) ** 0.8 for i in range(len(vocab))]
    lines = []
    for _ in range(n_lines):
        lines.append(" ".join(rng.choices(vocab, weights=weights, k=rng.randint(8, 30))))
    return lines


def _wordlist_lines(lang: str, n_lines: int, rng: random.Random) -> list[str] | None:
    """Pseudo-sentences of real words drawn by frequency (wordfreq, a project dependency).

    SentencePiece trained on them segments real news text about as finely as a real OPUS-MT
    vocabulary does (~1.3-1.6 tokens per word), which keeps benchmark lengths realistic.
    """
    import wordfreq

    words = [w for w in wordfreq.top_n_list(lang, 100000) if w.strip()]
    if len(words) < 20000:
        return None
    weights = [1.0 / (rank + 20) for rank in range(len(words))]
    punct = [",", ".", "،", ":", "(", ")", "\"", "-", "%"] if lang == "ar" else [",", ".", ":", "(", ")", "\"", "'s", "-", "%"]
    lines = []
    for _ in range(n_lines):
        n = rng.randint(6, 28)
        toks = rng.choices(words, weights=weights, k=n)
        if lang == "en":  # wordfreq lists are lower-case; news text is not
            toks = [w.capitalize() if rng.random() < 0.15 else w for w in toks]
            toks[0] = toks[0].capitalize()
        if rng.random() < 0.5:
            toks.insert(rng.randrange(len(toks)), str(rng.randint(0, 2030)))
        if rng.random() < 0.6:
            toks.insert(rng.randrange(len(toks)), rng.choice(punct))
        lines.append(" ".join(toks) + rng.choice([".", ".", ".", "?", ""]))
    return lines


def _corpus(side: str, size: str, seed: int) -> list[str]:
    if side == "ar":
        lines = [ln for ln in ARABIC_SENTENCES.splitlines() if ln.strip()]
        if SAMPLE_ARTICLE.is_file():
            lines += [ln for ln in SAMPLE_ARTICLE.read_text(encoding="utf-8").splitlines() if ln.strip()]
        letters = _AR_LETTERS
    else:
        lines = [ln for ln in ENGLISH_SENTENCES.splitlines() if ln.strip()]
        letters = _EN_LETTERS
    if size == "opus":
        rng = random.Random(f"{seed}-{side}")
        real = _wordlist_lines(side, 60000, rng)
        if real is None:  # wordfreq missing: random letter strings still give a ~60k vocabulary
            real = _synthetic_lines(letters, 60000, 60000, rng)
        lines = lines * 20 + real
    return lines


def _train_spm(lines: list[str], vocab_size: int, seed: int, chars: str) -> bytes:
    import sentencepiece as spm

    spm.set_random_generator_seed(seed + 1)
    model = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(lines),
        model_writer=model,
        model_type="unigram",
        vocab_size=vocab_size,
        hard_vocab_limit=False,  # a small corpus may not support the requested size; take what it gives
        character_coverage=1.0,
        max_sentence_length=1 << 20,  # news paragraphs are long; the default (4192 bytes) drops them silently
        input_sentence_size=0,
        shuffle_input_sentence=False,
        num_threads=1,  # deterministic
        unk_id=1,
        eos_id=0,
        bos_id=-1,
        pad_id=-1,
        unk_surface=" \u2047 ",
        required_chars=chars,
        minloglevel=2,
    )
    return model.getvalue()


def _pieces(spm_bytes: bytes) -> list[str]:
    import sentencepiece as spm

    sp = spm.SentencePieceProcessor(model_proto=spm_bytes)
    return [sp.id_to_piece(i) for i in range(sp.get_piece_size())]


def make_test_model(
    outdir: str | Path,
    size: str = "tiny",
    seed: int = 0,
    tie_embeddings: bool = True,
) -> Path:
    """Build a random MarianMT model directory at ``outdir`` and return its path.

    ``size``: ``"tiny"`` (seconds to build, for tests) or ``"opus"`` (opus-mt-ar-en's architecture,
    for benchmarks). ``tie_embeddings=False`` gives a separate random output projection, whose
    outputs vary between inputs. The result depends only on ``size``, ``seed`` and ``tie_embeddings``.
    """
    if size not in SIZES:
        raise ValueError(f"size must be one of {SIZES}, not {size!r}")
    import torch
    from transformers import GenerationConfig, MarianConfig, MarianMTModel, MarianTokenizer

    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)

    # 1. tokenisers: one SentencePiece model per side, as OPUS-MT ships them
    src_spm = _train_spm(_corpus("ar", size, seed), SPM_VOCAB[size], seed, _AR_LETTERS)
    tgt_spm = _train_spm(_corpus("en", size, seed), SPM_VOCAB[size], seed, _EN_LETTERS)
    (out / "source.spm").write_bytes(src_spm)
    (out / "target.spm").write_bytes(tgt_spm)

    # 2. joint vocabulary: </s>=0, <unk>=1, pieces, <pad> last
    vocab: dict[str, int] = {"</s>": 0, "<unk>": 1}
    for piece in _pieces(src_spm) + _pieces(tgt_spm):
        if piece not in vocab and piece not in ("<pad>", "<s>"):
            vocab[piece] = len(vocab)
    pad_id = len(vocab)
    vocab["<pad>"] = pad_id
    vocab_size = len(vocab)
    (out / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False, indent=0), encoding="utf-8")

    tok = MarianTokenizer(
        source_spm=str(out / "source.spm"),
        target_spm=str(out / "target.spm"),
        vocab=str(out / "vocab.json"),
        source_lang="ar",
        target_lang="en",
        model_max_length=512,
    )
    tok.save_pretrained(str(out))

    # 3. a random model with opus-mt-ar-en's conventions
    config = MarianConfig(
        vocab_size=vocab_size,
        decoder_vocab_size=vocab_size,
        pad_token_id=pad_id,
        decoder_start_token_id=pad_id,
        eos_token_id=0,
        bos_token_id=0,
        forced_eos_token_id=0,
        activation_function="swish",
        scale_embedding=True,
        static_position_embeddings=True,
        share_encoder_decoder_embeddings=True,
        tie_word_embeddings=tie_embeddings,
        dropout=0.1,
        attention_dropout=0.0,
        activation_dropout=0.0,
        init_std=0.02 if tie_embeddings else 0.08,
        **ARCH[size],
    )
    torch.manual_seed(seed)
    model = MarianMTModel(config)
    with torch.no_grad():
        model.model.shared.weight[pad_id].zero_()
        model.model.encoder.embed_tokens.weight[pad_id].zero_()
        model.model.decoder.embed_tokens.weight[pad_id].zero_()
        if not tie_embeddings:
            # an independent projection with a larger spread, so argmax varies with the input
            gen = torch.Generator().manual_seed(seed + 12345)
            w = torch.randn(model.lm_head.weight.shape, generator=gen) * 0.5
            model.lm_head.weight.copy_(w)
    model.generation_config = GenerationConfig(
        bos_token_id=0,
        eos_token_id=0,
        pad_token_id=pad_id,
        decoder_start_token_id=pad_id,
        forced_eos_token_id=0,
        bad_words_ids=[[pad_id]],
        num_beams=4,
        max_length=512,
    )
    model.save_pretrained(str(out))
    return out


def ensure_test_model(path: str | Path, size: str = "opus") -> Path:
    """``path`` if it already holds a model, else a test model of ``size`` built there (benchmarks)."""
    import sys

    path = Path(path)
    if (path / "config.json").is_file():
        return path
    print(f"building the {size} test model in {path} (once) ...", file=sys.stderr)
    return make_test_model(path, size=size)
