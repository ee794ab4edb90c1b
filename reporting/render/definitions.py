"""What each number of the report means: the appendix of the PDF, the last sheet of the XLSX
and the explanations beside the numbers on the dashboards."""

from __future__ import annotations

DEFINITIONS: dict[str, str] = {
    "period": "P = [start, end], both dates included; a datetime belongs to its date in the "
    "program's time zone.",
    "scope": "All departments, one site's departments, or a list of departments. Interactions, "
    "referrals and survey responses are in scope by their own department (the supported "
    "physician's); physicians and supporters by their roster department. A survey response "
    "without a department counts only in a program-wide report.",
    "adopted": "A department is adopted in P when launched_on ≤ end and ended_on is empty or "
    "≥ start.",
    "employed": "A physician is employed in P when started_on is empty or ≤ end, and ended_on "
    "is empty or ≥ start.",
    "reach.successful_interactions": "Successful interactions with occurred_on in P, in scope.",
    "reach.interactions_logged": "All interactions (successful or not) with occurred_on in P, "
    "in scope.",
    "reach.unique_physicians_supported": "Distinct non-empty supported-physician links among "
    "those successful interactions; pseudonymised links count the same.",
    "reach.eligible_physicians": "Physicians employed in P whose department is in scope and "
    "adopted in P.",
    "reach.proportion_supported": "unique_physicians_supported / eligible_physicians.",
    "reach.physician_years": "Sum over physicians in scope whose department has launched_on, of "
    "the days in [max(start, started_on, launched_on), min(end, ended_on, department ended_on)] "
    "(inclusive; 0 where empty), divided by 365.25.",
    "reach.interactions_per_100_physician_years": "successful_interactions / physician_years x "
    "100.",
    "reach.by_source": "Successful interactions by source: self, third_party, event, proactive.",
    "reach.survey_had_interaction": "program_evaluation responses submitted in P, in scope, "
    "answering had_interaction: yes / respondents.",
    "effectiveness.would_recommend": "program_evaluation would_recommend, submitted in P, in "
    "scope: yes / respondents.",
    "effectiveness.recipient_feedback": "recipient_feedback responses submitted in P, in scope: "
    "for each Likert item agree (4 or 5) / respondents; would_recommend yes / respondents.",
    "effectiveness.supporter_training": "supporter_training responses submitted in P, in scope: "
    "agree (4 or 5) / respondents for training_useful, culture_shift and confidence.",
    "effectiveness.wellbeing": "WHO-5 index = 4 x the sum of the five items, for wellbeing "
    "responses that answered all five: respondents, mean index, poor well-being (index < 52) "
    "and its proportion.",
    "adoption.departments_total": "Departments in scope.",
    "adoption.departments_adopted": "Departments in scope adopted in P.",
    "adoption.proportion_departments": "departments_adopted / departments_total.",
    "adoption.physicians_total": "Physicians employed in P, in scope.",
    "adoption.physicians_in_adopting_departments": "Equals reach.eligible_physicians.",
    "adoption.proportion_physicians_covered": "physicians_in_adopting_departments / "
    "physicians_total.",
    "adoption.supporters_trained": "Distinct physicians in scope whose first initial course "
    "was completed on or before end.",
    "adoption.supporters_trained_in_period": "Of those, the first initial course completed "
    "within P.",
    "adoption.supporters_active": "Trained supporters in scope who logged at least one "
    "successful interaction in P (anywhere).",
    "adoption.supporters_per_100_physicians": "supporters_trained / eligible_physicians x 100.",
    "implementation.duration_minutes": "n, median, p25, p75 and mean of duration_minutes over "
    "successful interactions in P, in scope (percentiles by linear interpolation between "
    "closest ranks).",
    "implementation.total_support_hours": "Sum of their duration_minutes / 60.",
    "implementation.escalated": "Successful interactions in P, in scope, with escalated = yes.",
    "implementation.escalation_rate": "escalated / successful_interactions.",
    "implementation.referrals.received": "Referrals received in P, in scope.",
    "implementation.referrals.by_source": "Of those, by source: self, third_party, event.",
    "implementation.referrals.contacted": "Of those, with a first contact.",
    "implementation.referrals.hours_to_first_contact": "n, median, p25, p75 of "
    "(first_contact_at - received_at) in hours over the contacted ones.",
    "implementation.referrals.within_deadline": "Contacted within the first-contact deadline "
    "(FIRST_CONTACT_DEADLINE_HOURS, default 24).",
    "implementation.referrals.proportion_within_deadline": "within_deadline / received.",
    "implementation.referrals.outcomes": "supported, declined, unreachable, referred_out, and "
    "open (not closed yet).",
    "implementation.referrals.acceptance_rate": "supported / (supported + declined).",
    "maintenance.by_year": "12-month windows [start + 12k months, start + 12(k+1) months - 1 "
    "day] while the window starts on or before end, the last cut at end; each with successful "
    "interactions, physician-years and the rate per 100 physician-years.",
    "maintenance.by_quarter": "Calendar quarters that overlap P, clipped to P, with successful "
    "interactions.",
    "maintenance.trend_ratio": "Rate per 100 physician-years of the last by_year window / that "
    "of the first (null when either is null or the first is 0).",
    "maintenance.departments_sustained": "Of the departments eligible for sustainment, those "
    "with a successful interaction in [end - 6 months + 1 day, end].",
    "maintenance.departments_eligible_for_sustainment": "Departments in scope with launched_on "
    "≤ end - 12 months and ended_on empty or after end.",
    "maintenance.supporters_retained": "Of the supporters eligible for retention, those who "
    "logged a successful interaction (anywhere) in [end - 12 months + 1 day, end].",
    "maintenance.supporters_eligible_for_retention": "Supporters in scope whose first initial "
    "course was on or before end - 12 months.",
    "maintenance.supporters_training_current": "Trained supporters in scope whose latest "
    "course (initial or refresher) completed on or before end is on or after end - "
    "REFRESHER_MONTHS months.",
    "by_department": "One row per department in scope, with the same definitions applied to "
    "that department alone.",
    "suppression": "With a threshold K, every count c with 0 < c < K of people or events of "
    "care (interactions, physicians supported, referrals and their stages and outcomes, "
    "escalations, survey respondents and answers), wherever it stands, is hidden (null), with "
    "every proportion, rate, mean, median or percentile computed from it; where a shown total "
    "would let a hidden cell be recomputed by subtraction, the next smallest cell is hidden too. "
    "Zeros are shown; counts of departments, trained supporters and the roster are not hidden.",
    "supplementary.quarterly_trend": "For each quarter of by_quarter: successful interactions, "
    "physician-years over the quarter (as reach.physician_years) and their rate per 100 "
    "physician-years.",
    "supplementary.duration_histogram": "Successful interactions in P, in scope, by duration "
    "band (minutes, lower bound included).",
}


def definition_for(path: str) -> str:
    """The definition of the number at ``path`` (or of its nearest described parent)."""
    parts = path.split(".")
    while parts:
        text = DEFINITIONS.get(".".join(parts))
        if text:
            return text
        parts.pop()
    return ""
