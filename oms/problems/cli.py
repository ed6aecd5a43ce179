"""`oms problems escalate|detect-bursts`: the periodic sweeps, by hand."""

from __future__ import annotations


def run_problems_command(args) -> int:
    if args.problems_command == "escalate":
        from oms.problems.escalation import escalate_due

        print(f"escalated={escalate_due()}")
        return 0
    from oms.problems.bursts import detect_bursts

    raised = detect_bursts()
    print(f"incidents={len(raised)}" + "".join(f" {r.number}" for r in raised))
    return 0
