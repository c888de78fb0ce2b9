"""What one run of a job did in one workspace: posted, skipped, failed, and why."""

from collections import Counter
from dataclasses import dataclass, field

DETAIL_LINES = 20


@dataclass
class RunSummary:
    job: str
    workspace: str  # the Slack team id
    period_key: str
    dry_run: bool = False
    posted: list[str] = field(default_factory=list)  # what was posted (or would be)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (what, why)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (what, Slack's error)
    notified: list[str] = field(default_factory=list)  # owners told about a channel problem
    stopped: str | None = None  # why the run stopped early, if it did
    locked_out: bool = False  # another run held the lock: this one did nothing

    @property
    def ok(self) -> bool:
        # Another run holding the lock is doing the work: not a failure of this one.
        return not self.failed and (self.stopped is None or self.locked_out)

    def lines(self) -> list[str]:
        verb = "would post" if self.dry_run else "posted"
        head = (
            f"{self.job} {self.workspace} {self.period_key}: {len(self.posted)} {verb}, "
            f"{len(self.skipped)} skipped, {len(self.failed)} failed"
        )
        if self.notified:
            head += f", {len(self.notified)} owner notices"
        if self.stopped:
            head += f"; stopped: {self.stopped}"
        lines = [head]
        for what, why in self.failed[:DETAIL_LINES]:
            lines.append(f"  failed: {what}: {why}")
        if len(self.failed) > DETAIL_LINES:
            lines.append(f"  … and {len(self.failed) - DETAIL_LINES} more failed")
        # Skips are mostly "already posted" by the thousand: counted by reason.
        for why, count in Counter(why for _, why in self.skipped).most_common():
            examples = [what for what, reason in self.skipped if reason == why][:3]
            more = ", …" if count > len(examples) else ""
            lines.append(f"  skipped {count}: {why} ({', '.join(examples)}{more})")
        return lines

    def __str__(self) -> str:
        return "\n".join(self.lines())
