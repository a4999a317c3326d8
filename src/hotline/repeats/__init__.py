"""Repeat complaints: Chinese text similarity, candidate search and batch grouping.

Below the services, like :mod:`hotline.classify`: no database, no web, no CLI. The services
rebuild a :class:`RepeatIndex` from the open cases, keep it current from a change log, and ask it
for candidates at intake; ``hotline repeats cluster`` groups a file. See docs/repeats.md.
"""

from hotline.repeats.grouping import GroupingOptions, average_linkage, group_documents
from hotline.repeats.index import ChangeFeed, IndexChange, RepeatIndex
from hotline.repeats.normalize import normalise_text
from hotline.repeats.places import extract_places, place_names
from hotline.repeats.scoring import (
    Candidate,
    Decision,
    Reason,
    RepeatDocument,
    RepeatPolicy,
)
from hotline.repeats.vectors import TextConfig, TextModel

__all__ = [
    "Candidate",
    "ChangeFeed",
    "Decision",
    "GroupingOptions",
    "IndexChange",
    "Reason",
    "RepeatDocument",
    "RepeatIndex",
    "RepeatPolicy",
    "TextConfig",
    "TextModel",
    "average_linkage",
    "extract_places",
    "group_documents",
    "normalise_text",
    "place_names",
]
