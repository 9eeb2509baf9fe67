"""The Markdown report: the report context laid out as GitHub-flavoured Markdown."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from hicp.assessment.models import Status
from hicp.assessment.plan import Action
from hicp.reports.context import (
    Audience,
    EvidenceSummary,
    ItemRow,
    PracticeSection,
    ReportContext,
)
from hicp.reports.crosswalk import GoalResult, Rollup
from hicp.reports.diff import Change, Diff
from hicp.reports.recognized import PracticeStanding, Standing
from hicp.reports.wording import (
    COST_WORDS,
    QUICK_WIN_NOTE,
    action_label,
    conflicts_line,
    due_words,
    effort_words,
    evidence_sentence,
    exposure_words,
    pct,
    residual_words,
    status_label,
)

BAR_WIDTH = 20

# Characters that start Markdown (or GitHub extension) syntax anywhere in a line: escapes,
# code spans, emphasis, links and images, table cells, headings, strikethrough, math.
_INLINE_SYNTAX = re.compile(r"([\\`*_\[\]|#~$!])")
# Syntax that only counts at the start of a line: list markers ("- ", "+ ", "1. ", "1) ") and
# thematic breaks or setext underlines ("---", "==="); "*" and "_" are escaped everywhere anyway.
_LIST_MARKER = re.compile(r"^(\d{0,9})([-+.)])(?=\s|$)")
_RULE_LINE = re.compile(r"^([-=])(?=[-=\s]*$)")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def _escape_start(line: str) -> str:
    return _RULE_LINE.sub(r"\\\1", _LIST_MARKER.sub(r"\1\\\2", line.strip()))


def escape(text: str, *, line_break: str = "<br>") -> str:
    """Text shown literally in Markdown, safe in a paragraph, a list item or a table cell.

    HTML-significant characters become entities (so no tag or autolink survives); Markdown
    punctuation is backslash-escaped; line breaks become ``line_break`` so a value never ends a
    table row or starts a block (a heading, a list, a quote) of its own.
    """
    text = text.strip()
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _INLINE_SYNTAX.sub(r"\\\1", text)
    # each line could start a block (a list, a setext underline) where breaks stay real
    return line_break.join(_escape_start(line) for line in _LINE_BREAK.split(text))


def _bar(fraction: float | None) -> str:
    if fraction is None:
        return ""
    filled = round(fraction * BAR_WIDTH)
    return "`" + "█" * filled + "░" * (BAR_WIDTH - filled) + "`"


def _table(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> list[str]:
    """A table of already-escaped cells, followed by a blank line."""
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(cell or " " for cell in row) + " |" for row in rows]
    return [*lines, ""]


# The two evidence helpers below are shared by the HTML, DOCX and XLSX renderers; they belong
# in wording.py, which this change could not touch.
def _date(value: object) -> str:
    return "" if value is None else str(value)


def _status(status: Status | None) -> str:
    return status_label(status)


class _Writer:
    """Builds the document section by section; ``plain`` selects the clinic wording."""

    def __init__(self, context: ReportContext) -> None:
        self.c = context
        self.plain = context.audience is Audience.CLINIC
        self.lines: list[str] = []
        self.threat_names = {
            t.id: t.name if self.plain else f"{t.id} {t.name}" for t in context.threats
        }
        self.csf_of = {i.id: i.csf_1_1 for p in context.practices for i in p.items}

    def add(self, *lines: str) -> None:
        self.lines.extend(lines)

    def heading(self, level: int, text: str) -> None:
        self.add("#" * level + " " + text, "")

    def paragraph(self, text: str) -> None:
        self.add(text, "")

    # 1. Executive summary -------------------------------------------------------------------

    def summary(self) -> None:
        c, org, score = self.c, self.c.organization, self.c.score
        self.heading(2, "Executive summary")
        tiers = escape(org.tier)
        if org.include_tiers:
            tiers += ", with the sub-practices of " + ", ".join(
                escape(t) for t in org.include_tiers
            )
        assessed = f" by {escape(org.assessor)}" if org.assessor else ""
        coverage = (
            "not scored (nothing in scope counts)"
            if score.coverage is None
            else f"{pct(score.coverage)} of what is in scope is in place"
        )
        applicable = score.applicable_threats
        all_threats = f"the {len(applicable)} threats that apply"
        if len(applicable) == len(score.threats):
            all_threats = f"the {len(score.threats)} threats"
        self.add(
            f"- **Organization:** {escape(org.name)}",
            f"- **{'Size group' if self.plain else 'HICP tier'}:** {tiers}",
            f"- **Assessed:** {org.date.isoformat()}{assessed}",
            f"- **Overall coverage:** {coverage} ({score.answered} of {score.total} "
            "sub-practices answered)",
            f"- **Overall exposure:** {pct(score.exposure)} of the risk from {all_threats} is not "
            "yet reduced by safeguards",
        )
        if c.evidence is not None and c.evidence.conflicts:
            self.add(
                f"- **Conflicts:** {conflicts_line(c.evidence.conflicts, plain=self.plain)}; "
                "see “Practice by practice”"
            )
        self.add("")
        self.heading(3, "Exposure to each threat")
        self.paragraph(
            "Exposure is the part of a threat's risk that the organization's safeguards do not "
            "yet cover: lower is better, 0% means fully covered."
        )
        threats = {t.id: t for t in c.threats}
        rows = []
        for t in score.threats:
            info = threats[t.id]
            name = escape(self.threat_names[t.id])
            if self.plain:
                name = f"**{name}**<br>{escape(info.summary)}"
            else:
                name += (
                    f"<br>L{t.likelihood}×I{t.impact} = {t.inherent}, residual {residual_words(t)}"
                )
            if t.not_applicable:
                rows.append([name, escape(exposure_words(t)), "–"])
                continue
            rows.append([name, pct(t.exposure), _bar(t.exposure)])
        self.add(*_table(["Threat", "Exposure", "Remaining risk"], rows))
        self.heading(3, "The most important next actions")
        if c.top_actions:
            for n, action in enumerate(c.top_actions, 1):
                self._action(n, action)
        else:
            self.paragraph(
                "Nothing left to do: every sub-practice in scope is in place or does not apply."
            )
        if c.changes is not None:
            self._changes(c.changes)

    def _action(self, n: int, action: Action) -> None:
        owner = f"owner: {escape(action.owner)}" if action.owner else "no owner yet"
        due = due_words(action) or "no target date"
        size = f"{effort_words(action)}, {COST_WORDS[action.cost]}"
        if action.quick_win:
            size += f" ({QUICK_WIN_NOTE})"
        self.add(f"{n}. **{escape(action_label(action))}** ({action.id}): {owner}, {due}; {size}.")
        detail = action.summary if self.plain else action.guidance
        self.add(f"   {escape(detail)}")
        if action.depends_on:
            self.add(f"   After: {', '.join(action.depends_on)}.")
        if not self.plain:
            refs = self.csf_of.get(action.id, ())
            self.add(
                f"   Reduces residual risk by {action.reduction:.2f} points "
                f"({', '.join(self.threat_names[t] for t in action.threats)})"
                + (f"; CSF 1.1: {', '.join(refs)}" if refs else "")
                + "."
            )
        self.add("")

    def _changes(self, diff: Diff) -> None:
        self.heading(3, f"Changes since the previous assessment ({diff.before_date})")
        s = diff.scores
        if diff.is_empty:
            self.paragraph("Nothing changed since the previous assessment.")
            return
        self.add(
            f"- **Overall coverage:** {pct(s.coverage_before)} → {pct(s.coverage_after)}",
            f"- **Overall exposure:** {pct(s.exposure_before)} → {pct(s.exposure_after)}",
            *(
                f"- {escape(self.threat_names.get(tid, tid))}: {pct(b)} → {pct(a)}"
                for tid, b, a in s.threats
                if b != a
            ),
            "",
        )
        rows = [
            [
                f"{i.id} {escape(i.title)}",
                # no label for Change in wording.py; its value reads as words
                i.change.label
                + (f" ({', '.join(f.replace('_', ' ') for f in i.fields)})" if i.fields else ""),
                f"{_status(i.before)} → {_status(i.after)}",
            ]
            for kind in Change
            for i in diff.of(kind)
        ]
        self.add(*_table(["Sub-practice", "Change", "Status"], rows))

    # 2. Practice by practice ---------------------------------------------------------------

    def practices(self) -> None:
        self.heading(2, "Practice by practice")
        self.paragraph(
            "Coverage is the share of a practice's credit earned: implemented counts in full, "
            "partial and planned in part; items that do not apply are left out."
        )
        for section in self.c.practices:
            self._practice(section)
        if self.c.evidence is not None:
            self._evidence(self.c.evidence)

    def _practice(self, p: PracticeSection) -> None:
        coverage = "not scored" if p.coverage is None else f"coverage {pct(p.coverage)}"
        self.heading(3, f"{escape(p.name)} ({p.id}): {coverage}")
        self.paragraph(
            f"{escape(p.summary)} {p.answered} of {p.total} sub-practices answered; "
            f"{p.counted} count toward coverage."
        )
        self.add(
            *_table(
                ["Sub-practice", "Status", "Owner", "Target date", "Notes", "Evidence"],
                (self._item_row(i) for i in p.items),
            )
        )

    def _item_row(self, i: ItemRow) -> list[str]:
        if self.plain:
            name = f"**{i.id}** {escape(i.title)}<br>{escape(i.summary)}"
        else:
            name = f"**{i.id}** {escape(i.title)}"
            if i.csf_1_1:
                name += f"<br>CSF 1.1: {escape(', '.join(i.csf_1_1))}"
        status = i.status_label
        if i.in_place_since:
            status += f"<br>since {i.in_place_since.isoformat()}"
        lines = []
        # The tool evidence leads the cell: a conflict is the first thing to check.
        if i.evidence_conflict:
            lines.append(
                "**Conflict with the evidence from your tools:** "
                + escape(evidence_sentence(i.evidence_conflict))
            )
        if i.evidence_note:
            lines.append(
                f"*Evidence from your tools:* {escape(evidence_sentence(i.evidence_note))}"
            )
        if i.notes:
            lines.append(escape(i.notes))
        if i.justification:
            lines.append(f"Does not apply: {escape(i.justification)}")
        notes = "<br>".join(lines)
        return [
            name,
            status,
            escape(i.owner) if i.owner else "",
            _date(i.target_date),
            notes,
            "<br>".join(escape(e) for e in i.evidence),
        ]

    def _evidence(self, evidence: EvidenceSummary) -> None:
        self.heading(3, "Evidence from your tools")
        checked = (
            "Records imported from your own tools were checked against your answers."
            if self.plain
            else "Imported tool records were evaluated against the answers."
        )
        self.paragraph(
            f"{checked} Each rule counts the systems or accounts that meet its bar; the share "
            "that does decides what the evidence supports. Where an answer claims more than "
            "that, its sub-practice above is marked as a conflict."
            + (
                ""
                if self.plain
                else " List the items that fall short with "
                "`hicp evidence show ASSESSMENT --rule RULE`."
            )
        )
        if evidence.imports:
            self.paragraph("Imported:")
            self.add(*(f"- {escape(line)}" for line in evidence.imports), "")
        if evidence.not_measured:
            self.paragraph("Not measured (the data cannot tell either way; no status suggested):")
            self.add(
                *(
                    f"- {escape(n.title)}"
                    + ("" if self.plain else f" (`{n.id}`; {', '.join(n.sub_practices)})")
                    + f": {escape(n.reason)}."
                    for n in evidence.not_measured
                ),
                "",
            )
        if not evidence.rules:
            self.paragraph("No rule had enough data to draw a conclusion yet.")
            return
        titles = {i.id: i.title for p in self.c.practices for i in p.items}
        rows = [
            [
                escape(r.title) + ("" if self.plain else f"<br>`{r.id}`"),
                "<br>".join(f"{sid} {escape(titles.get(sid, ''))}" for sid in r.sub_practices),
                f"{r.total - r.bad} of {r.total} ({pct(r.share)})",
                r.supports.label,
                escape(r.explanation),
            ]
            for r in evidence.rules
        ]
        self.add(
            *_table(
                ["Rule", "Sub-practices", "Meets the bar", "Evidence supports", "Explanation"],
                rows,
            )
        )

    # 3. Action plan -------------------------------------------------------------------------

    def plan(self) -> None:
        self.heading(2, "Action plan")
        self.paragraph(
            "Actions are ranked by how much risk they remove for the effort, prerequisites first, "
            "and fitted into phases by the work the organization can take on. Checks to find out "
            "where an item stands come first and take no capacity."
        )
        actions = {a.id: a for a in self.c.plan.actions}
        for phase in self.c.plan.phases:
            load = (
                f"{phase.points} of {phase.capacity} work units"
                if phase.capacity is not None
                else f"{phase.points} work units"
            )
            self.heading(3, f"{escape(phase.label)} ({load})")
            if phase.overdue:
                self.paragraph(
                    f"This phase ended on {phase.ends_on.isoformat()}, before this report; "
                    "actions past their date are marked overdue."
                )
            if not phase.actions:
                self.paragraph("Nothing planned in this phase.")
            for n, action_id in enumerate(phase.actions, 1):
                self._action(n, actions[action_id])
        if not self.c.plan.actions:
            self.paragraph(
                "No open actions: every in-scope sub-practice is in place or does not apply."
            )

    # 4. Recognized security practices ------------------------------------------------------

    def recognized(self) -> None:
        self.heading(2, "Recognized security practices")
        self.paragraph(
            "Why this matters: Public Law 116-321 requires the U.S. Department of Health and Human "
            "Services (HHS) to consider whether recognized security practices such as HICP were in "
            "place for the previous 12 months when it decides fines and audits after a HIPAA "
            "breach, so dated evidence of each practice counts."
        )
        self.add(
            *_table(
                ["Practice", "Standing"],
                ([f"{escape(s.name)} ({s.id})", s.standing.label] for s in self.c.recognized),
            )
        )
        for standing in self.c.recognized:
            if standing.standing is not Standing.NOT_APPLICABLE:
                self._standing(standing)

    def _standing(self, s: PracticeStanding) -> None:
        self.heading(3, f"{escape(s.name)} ({s.id}): {s.standing.label}")
        rows = []
        for i in s.items:
            since = ""
            if i.in_place_since is not None:
                since = i.in_place_since.isoformat()
                if i.months_in_place is not None:
                    since += f" ({i.months_in_place} months)"
            rows.append(
                [
                    f"**{i.id}** {escape(i.title)}",
                    _status(i.status),
                    since,
                    "<br>".join(escape(e) for e in i.evidence) or "none recorded",
                    escape("; ".join(i.missing)) if i.missing else "nothing",
                ]
            )
        self.add(*_table(["Sub-practice", "Status", "In place since", "Evidence", "Missing"], rows))

    # 5. Crosswalk appendix ------------------------------------------------------------------

    def crosswalk(self) -> None:
        x = self.c.crosswalk
        csf = "NIST Cybersecurity Framework (CSF) 2.0" if self.plain else "NIST CSF 2.0"
        hipaa = (
            "HIPAA (Health Insurance Portability and Accountability Act) Security Rule"
            if self.plain
            else "HIPAA Security Rule"
        )
        cpg = (
            "HHS Healthcare and Public Health Cybersecurity Performance Goals (CPGs)"
            if self.plain
            else "HHS HPH CPGs"
        )
        self.heading(2, "Crosswalk appendix")
        self.paragraph(
            "Coverage here is the mean credit of the in-scope sub-practices linked to each "
            "function, category or standard."
        )
        self.heading(3, f"{csf}: functions")
        self.paragraph(
            "HICP references CSF 1.1; the CSF 2.0 links are derived from those references "
            "through NIST's CSF 1.1 to 2.0 crosswalk, not taken from HICP itself. A sub-practice "
            "marked (derived) has no CSF references of its own in the catalog yet: it borrows "
            "those of a medium-organization counterpart in the same practice."
        )
        self.add(*self._rollups(x.csf_functions, "Function", bar=True))
        self.heading(3, f"{csf}: categories")
        self.add(*self._rollups(x.csf_categories, "Category"))
        self.heading(3, f"{hipaa} standards")
        self.paragraph(
            "These standards are related to the linked sub-practices: doing a sub-practice does "
            "not by itself satisfy a standard."
        )
        self.add(*self._rollups(x.hipaa, "Standard"))
        self.heading(3, cpg)
        self.paragraph(
            "The mapping from each goal to HICP sub-practices is this project's own and has not "
            "been verified by HHS. A goal is met when every deciding sub-practice is implemented."
        )
        for tier in dict.fromkeys(g.tier for g in x.goals):  # essential, then enhanced
            goals = [g for g in x.goals if g.tier == tier]
            if goals:
                self.heading(4, f"{tier.capitalize()} goals")
                self.add(
                    *_table(["Goal", "State", "Deciding sub-practices"], map(self._goal, goals))
                )

    def _rollups(self, rollups: Sequence[Rollup], kind: str, *, bar: bool = False) -> list[str]:
        headers = [kind, "Coverage", *(["Covered"] if bar else []), "Linked sub-practices"]
        rows = [
            [
                f"{escape(r.id)} {escape(r.name)}",
                pct(r.coverage),
                *([_bar(r.coverage)] if bar else []),
                ", ".join(r.linked_labels),
            ]
            for r in rollups
        ]
        return _table(headers, rows)

    @staticmethod
    def _goal(g: GoalResult) -> list[str]:
        deciding = ", ".join(
            f"{sid} ({'does not apply' if credit is None else pct(credit)})"
            for sid, credit in g.deciding
        )
        # no label for GoalState in wording.py; its value reads as words
        state = g.state.label
        return [f"{escape(g.id)} {escape(g.title)}", state, deciding or "none in scope"]

    # About ---------------------------------------------------------------------------------

    def about(self) -> None:
        org = self.c.organization
        self.heading(2, "About this report")
        self.paragraph(
            f"Generated on {self.c.generated_on.isoformat()} from the HICP "
            f"{escape(org.hicp_edition)} edition, catalog version {escape(org.catalog_version)}. "
            "HICP is Health Industry Cybersecurity Practices, published under section 405(d) of "
            "the Cybersecurity Act of 2015. This is a self-assessment: statuses are as answered."
        )
        if self.c.known_gaps:
            self.paragraph("Known gaps in the catalog:")
            self.add(*(f"- {escape(gap)}" for gap in self.c.known_gaps), "")

    def document(self) -> str:
        self.heading(1, escape(self.c.title))
        self.summary()
        self.practices()
        self.plan()
        self.recognized()
        self.crosswalk()
        self.about()
        while self.lines and not self.lines[-1]:
            self.lines.pop()
        return "\n".join(self.lines) + "\n"


def render(context: ReportContext) -> bytes:
    return _Writer(context).document().encode("utf-8")
