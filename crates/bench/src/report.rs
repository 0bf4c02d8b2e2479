//! What a workload hands back: table rows, a human summary, correctness failures
//! and the project's performance targets with whether each was met.

use crate::stats::Row;

/// A performance target from the project's issue.
#[derive(Debug, Clone)]
pub struct Target {
    /// What is asked, e.g. "mixed checkout p99 < 50 ms".
    pub name: String,
    /// Whether this run met it.
    pub met: bool,
    /// The number reached.
    pub reached: String,
}

/// The result of one workload run.
#[derive(Debug, Default, Clone)]
pub struct Outcome {
    /// Rows for the markdown table.
    pub rows: Vec<Row>,
    /// Lines of the human summary.
    pub summary: Vec<String>,
    /// Correctness problems (oversell, 5xx, lost events, wrong stock); any makes the run fail.
    pub failures: Vec<String>,
    /// Performance targets.
    pub targets: Vec<Target>,
}

impl Outcome {
    /// Adds a summary line.
    pub fn say(&mut self, line: impl Into<String>) {
        self.summary.push(line.into());
    }

    /// Records a correctness failure (also shown in the summary).
    pub fn fail(&mut self, problem: impl Into<String>) {
        let problem = problem.into();
        self.summary.push(format!("FAILED: {problem}"));
        self.failures.push(problem);
    }

    /// Records whether a target was met.
    pub fn target(&mut self, name: impl Into<String>, met: bool, reached: impl Into<String>) {
        self.targets.push(Target { name: name.into(), met, reached: reached.into() });
    }

    /// Adds everything of `other`.
    pub fn absorb(&mut self, other: Outcome) {
        self.rows.extend(other.rows);
        self.summary.extend(other.summary);
        self.failures.extend(other.failures);
        self.targets.extend(other.targets);
    }
}
