"""Every value a report shows has words of its own, the same in every format."""

from __future__ import annotations

from enum import StrEnum

import pytest

from hicp.assessment.models import Status
from hicp.reports.crosswalk import GoalState
from hicp.reports.diff import Change
from hicp.reports.recognized import Standing
from hicp.reports.wording import status_label, text_bar


@pytest.mark.parametrize("enum", [Status, Standing, GoalState, Change])
def test_every_member_has_a_label(enum: type[StrEnum]) -> None:
    labels = [member.label for member in enum]  # type: ignore[attr-defined]
    assert all(label and label[0].isupper() for label in labels)
    assert len(set(labels)) == len(labels)


def test_unanswered_has_a_label_too() -> None:
    assert status_label(None) == "Not answered"
    assert status_label(Status.PARTIAL) == "Partially implemented"


def test_text_bars_show_the_number_after_the_bar() -> None:
    assert text_bar(0.6) == "██████░░░░ 60%"
    assert text_bar(None) == "not scored"
