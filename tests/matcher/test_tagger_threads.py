"""Searches tag their queries side by side: a tagger shared by threads stems every word as
one thread alone does (snowball's stemmers keep the word being stemmed in themselves)."""

from __future__ import annotations

import random
import string
import sys
import threading

import snowballstemmer

from matcher import default_tagger


def test_threads_tagging_at_once_get_the_stems_one_thread_gets() -> None:
    tagger = default_tagger()
    rng = random.Random()  # words no earlier test has stemmed (the tagger keeps every stem)
    texts = [
        " ".join(
            "".join(rng.choices(string.ascii_lowercase, k=rng.randint(6, 14))) + ending
            for ending in ("en", "ingen", "heden", "isch", "lijk", "ers") * 20
        )
        for _ in range(8)
    ]
    failed: list[BaseException] = []

    def tag(text: str) -> None:
        try:
            tagger.tag(text)
        except BaseException as error:
            failed.append(error)

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible
    try:
        threads = [threading.Thread(target=tag, args=(text,)) for text in texts]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    finally:
        sys.setswitchinterval(interval)
    assert not failed
    alone = snowballstemmer.stemmer("dutch")
    kept = tagger.stem_cache_["nl"]
    wrong = {
        word: kept[word]
        for text in texts
        for word in text.split()
        if word in kept and kept[word] != alone.stemWord(word)
    }
    assert not wrong
