//! `trace --svg`: the writer queue drawn as a timeline, one lane per writer thread, to scale in time: each
//! writer's wait in the queue, each group its leader writes (the log append, the sync, the memtable insert, in
//! the leader's lane), and the wake-ups of the followers whose batches the group carried (a line from the
//! leader's lane to each follower's, when it was woken). Hand-written SVG, std only.
//!
//! Invariant: every element the drawing shows comes from one step the trace recorded (a rect per step, a line
//! per wake-up, a `<g class="group">` per group), with the step's own times; nothing is inferred, so the
//! picture can be checked against the trace's lines, element by element (`oxldb/tests/trace_test.rs`).
//!
//! LevelDB: DBImpl::Write, DBImpl::BuildBatchGroup (db/db_impl.cc), drawn

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::Duration;

/// A step of the write path, as the SVG needs it (the trace makes one from each writer-queue event).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    /// The writer joined the queue.
    Queued { writer: u64 },
    /// The writer reached the front: it leads.
    Leads { writer: u64 },
    /// The leader built its group.
    Group { leader: u64, followers: Vec<u64> },
    /// The group's log append, which ended when recorded and took `duration`.
    Log { leader: u64, duration: Duration },
    /// The log sync.
    Sync { leader: u64, duration: Duration },
    /// The memtable insert.
    Insert { leader: u64, duration: Duration },
    /// The leader marked its followers done and signalled them.
    Woken { leader: u64, followers: Vec<u64> },
    /// The writer's write returned.
    Done { writer: u64 },
}

/// A step, when it was recorded (since the trace began) and on which thread.
pub struct Stamp<'a> {
    pub at: Duration,
    pub thread: &'a str,
    pub step: &'a Step,
}

/// One writer: its lane and the times of its steps.
struct WriterTimes<'a> {
    lane: &'a str,
    queued: Duration,
    leads: Option<Duration>,
    done: Option<Duration>,
}

/// One group: its leader, followers and timed steps (start, end).
#[derive(Default)]
struct GroupTimes {
    followers: Vec<u64>,
    log: Option<(Duration, Duration)>,
    sync: Option<(Duration, Duration)>,
    insert: Option<(Duration, Duration)>,
    woken: Option<Duration>,
}

const LABEL_WIDTH: f64 = 110.0;
const PLOT_WIDTH: f64 = 1000.0;
const TOP: f64 = 50.0;
const LANE_HEIGHT: f64 = 40.0;
const LEGEND_HEIGHT: f64 = 50.0;

/// The colours and names of the steps, in the legend's order.
const LEGEND: [(&str, &str, &str); 5] = [
    ("wait", "#c8c8c8", "waiting in the queue"),
    ("log", "#3b7dd8", "log append"),
    ("sync", "#d8453b", "log sync"),
    ("insert", "#3bab5a", "memtable insert"),
    ("wake", "#8a4fd8", "wake-up of a follower"),
];

fn colour(class: &str) -> &'static str {
    LEGEND
        .iter()
        .find(|(c, _, _)| *c == class)
        .map_or("#000000", |(_, colour, _)| colour)
}

/// A duration as people read it: µs below a millisecond, ms below a second (`35.2 µs`, `1.52 ms`, `1.02 s`).
pub fn duration_label(d: Duration) -> String {
    let micros = d.as_secs_f64() * 1e6;
    if micros < 1000.0 {
        format!("{micros:.1} µs")
    } else if micros < 1e6 {
        format!("{:.2} ms", micros / 1e3)
    } else {
        format!("{:.2} s", micros / 1e6)
    }
}

/// Escapes text for an SVG text node or attribute.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Maps times to x coordinates: the span of the steps onto `PLOT_WIDTH`.
struct Scale {
    start: Duration,
    px_per_second: f64,
}

impl Scale {
    fn x(&self, at: Duration) -> f64 {
        LABEL_WIDTH + at.saturating_sub(self.start).as_secs_f64() * self.px_per_second
    }

    /// The width of `start..end`, at least half a pixel so that a step too short to see still shows.
    fn width(&self, start: Duration, end: Duration) -> f64 {
        (end.saturating_sub(start).as_secs_f64() * self.px_per_second).max(0.5)
    }
}

/// A step's rect in a lane: `class` names the step (`step log`, ...), `title` its tooltip.
fn step_rect(
    svg: &mut String,
    scale: &Scale,
    class: &str,
    (start, end): (Duration, Duration),
    y: f64,
    title: &str,
) {
    let height = if class == "wait" { 6.0 } else { 18.0 };
    let _ = writeln!(
        svg,
        "    <rect class=\"step {class}\" x=\"{:.2}\" y=\"{:.2}\" width=\"{:.2}\" height=\"{height}\" fill=\"{}\"><title>{} ({})</title></rect>",
        scale.x(start),
        y - height / 2.0,
        scale.width(start, end),
        colour(class),
        escape(title),
        duration_label(end.saturating_sub(start))
    );
}

/// The writers' ids as an attribute value: `3 4`.
fn ids(writers: &[u64]) -> String {
    writers
        .iter()
        .map(u64::to_string)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Draws the writer-queue steps of `stamps` as an SVG document. `title` heads it (the command that ran).
pub fn render(stamps: &[Stamp<'_>], title: &str) -> String {
    let mut writers: BTreeMap<u64, WriterTimes<'_>> = BTreeMap::new();
    // Groups in the order they were built, keyed by leader (a writer leads at most one group).
    let mut groups: BTreeMap<u64, GroupTimes> = BTreeMap::new();
    let mut group_order: Vec<u64> = Vec::new();
    let span = |at: Duration, duration: Duration| Some((at.saturating_sub(duration), at));
    for s in stamps {
        match s.step {
            Step::Queued { writer } => {
                writers.insert(
                    *writer,
                    WriterTimes {
                        lane: s.thread,
                        queued: s.at,
                        leads: None,
                        done: None,
                    },
                );
            }
            Step::Leads { writer } => {
                if let Some(w) = writers.get_mut(writer) {
                    w.leads = Some(s.at);
                }
            }
            Step::Done { writer } => {
                if let Some(w) = writers.get_mut(writer) {
                    w.done = Some(s.at);
                }
            }
            Step::Group { leader, followers } => {
                group_order.push(*leader);
                groups.entry(*leader).or_default().followers = followers.clone();
            }
            Step::Log { leader, duration } => {
                groups.entry(*leader).or_default().log = span(s.at, *duration)
            }
            Step::Sync { leader, duration } => {
                groups.entry(*leader).or_default().sync = span(s.at, *duration)
            }
            Step::Insert { leader, duration } => {
                groups.entry(*leader).or_default().insert = span(s.at, *duration)
            }
            Step::Woken { leader, .. } => groups.entry(*leader).or_default().woken = Some(s.at),
        }
    }

    let mut lanes: Vec<&str> = writers.values().map(|w| w.lane).collect();
    lanes.sort_by_key(|lane| (lane.len(), *lane));
    lanes.dedup();
    let lane_y = |lane: &str| {
        let index = lanes.iter().position(|l| *l == lane).unwrap_or(0);
        TOP + LANE_HEIGHT * (index as f64 + 0.5)
    };
    let start = stamps.iter().map(|s| s.at).min().unwrap_or_default();
    let end = stamps.iter().map(|s| s.at).max().unwrap_or_default();
    let total = end.saturating_sub(start);
    let scale = Scale {
        start,
        px_per_second: if total.is_zero() {
            1.0
        } else {
            PLOT_WIDTH / total.as_secs_f64()
        },
    };
    // Room on the right for the last group's members.
    let width = LABEL_WIDTH + PLOT_WIDTH + 60.0;
    let height = TOP + LANE_HEIGHT * lanes.len() as f64 + LEGEND_HEIGHT;

    let mut svg = String::new();
    let _ = writeln!(
        svg,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width:.0}\" height=\"{height:.0}\" \
         viewBox=\"0 0 {width:.0} {height:.0}\" font-family=\"sans-serif\" font-size=\"12\">"
    );
    let _ = writeln!(
        svg,
        "  <text x=\"10\" y=\"18\" font-size=\"14\">{} ({} writes, {} groups, {} in all)</text>",
        escape(title),
        writers.len(),
        group_order.len(),
        duration_label(total)
    );
    axis(
        &mut svg,
        &scale,
        total,
        TOP + LANE_HEIGHT * lanes.len() as f64,
    );

    for lane in &lanes {
        let y = lane_y(lane);
        let _ = writeln!(svg, "  <g class=\"lane\" data-thread=\"{}\">", escape(lane));
        let _ = writeln!(
            svg,
            "    <line x1=\"{LABEL_WIDTH}\" y1=\"{y:.2}\" x2=\"{:.0}\" y2=\"{y:.2}\" stroke=\"#eeeeee\"/>",
            LABEL_WIDTH + PLOT_WIDTH
        );
        let _ = writeln!(
            svg,
            "    <text x=\"10\" y=\"{:.2}\">{}</text>",
            y + 4.0,
            escape(lane)
        );
        for (id, w) in writers.iter().filter(|(_, w)| w.lane == *lane) {
            let until = w.leads.or(w.done).unwrap_or(w.queued);
            let role = if w.leads.is_some() {
                "until it leads"
            } else {
                "until a leader wrote its batch"
            };
            step_rect(
                &mut svg,
                &scale,
                "wait",
                (w.queued, until),
                y,
                &format!("#{id} waits in the queue {role}"),
            );
        }
        for leader in group_order
            .iter()
            .filter(|l| writers.get(l).is_some_and(|w| w.lane == *lane))
        {
            let g = &groups[leader];
            let _ = writeln!(
                svg,
                "   <g class=\"group\" data-leader=\"{leader}\" data-followers=\"{}\">",
                ids(&g.followers)
            );
            let members = if g.followers.is_empty() {
                format!("#{leader} alone")
            } else {
                format!("#{leader} + #{}", ids(&g.followers).replace(' ', " #"))
            };
            // The group's members over its first step, so that a reader can follow a batch from lane to lane.
            if let Some((start, _)) = g.log {
                let _ = writeln!(
                    svg,
                    "    <text class=\"members\" x=\"{:.2}\" y=\"{:.2}\" font-size=\"9\">{members}</text>",
                    scale.x(start),
                    y - 11.0
                );
            }
            for (class, times, what) in [
                ("log", g.log, "appends the group to the log"),
                ("sync", g.sync, "syncs the log"),
                ("insert", g.insert, "inserts the group into the memtable"),
            ] {
                if let Some(times) = times {
                    step_rect(
                        &mut svg,
                        &scale,
                        class,
                        times,
                        y,
                        &format!("#{leader} {what} ({members})"),
                    );
                }
            }
            if let Some(woken) = g.woken {
                for follower in &g.followers {
                    let Some(f) = writers.get(follower) else {
                        continue;
                    };
                    let _ = writeln!(
                        svg,
                        "    <line class=\"wake\" x1=\"{:.2}\" y1=\"{y:.2}\" x2=\"{:.2}\" y2=\"{:.2}\" stroke=\"{}\" \
                         stroke-width=\"1.5\"><title>#{leader} wakes #{follower}</title></line>",
                        scale.x(woken),
                        scale.x(f.done.unwrap_or(woken)),
                        lane_y(f.lane),
                        colour("wake")
                    );
                }
            }
            let _ = writeln!(svg, "   </g>");
        }
        let _ = writeln!(svg, "  </g>");
    }
    legend(&mut svg, height - LEGEND_HEIGHT + 20.0);
    svg.push_str("</svg>\n");
    svg
}

/// The time axis under the lanes: about ten ticks at a round step.
fn axis(svg: &mut String, scale: &Scale, total: Duration, y: f64) {
    let total_ns = total.as_nanos().max(1) as f64;
    let raw = total_ns / 10.0;
    let magnitude = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * magnitude)
        .max(1.0);
    let _ = writeln!(
        svg,
        "  <line class=\"axis\" x1=\"{LABEL_WIDTH}\" y1=\"{y:.2}\" x2=\"{:.0}\" y2=\"{y:.2}\" stroke=\"#888888\"/>",
        LABEL_WIDTH + PLOT_WIDTH
    );
    let mut tick = 0.0;
    while tick <= total_ns {
        let at = scale.start + Duration::from_nanos(tick as u64);
        let x = scale.x(at);
        let _ = writeln!(
            svg,
            "  <text class=\"tick\" x=\"{x:.2}\" y=\"{:.2}\" text-anchor=\"middle\" fill=\"#555555\">{}</text>",
            y + 14.0,
            duration_label(Duration::from_nanos(tick as u64))
        );
        tick += step;
    }
}

/// The colours' meanings, in a row under the axis.
fn legend(svg: &mut String, y: f64) {
    let mut x = LABEL_WIDTH;
    for (class, colour, text) in LEGEND {
        let _ = writeln!(
            svg,
            "  <rect class=\"legend {class}\" x=\"{x:.0}\" y=\"{:.0}\" width=\"12\" height=\"12\" fill=\"{colour}\"/>",
            y
        );
        let _ = writeln!(
            svg,
            "  <text x=\"{:.0}\" y=\"{:.0}\">{text}</text>",
            x + 16.0,
            y + 10.0
        );
        x += 30.0 + 7.0 * text.len() as f64;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(micros: u64) -> Duration {
        Duration::from_micros(micros)
    }

    /// The steps of a group led by `leader` on `thread` from `t` µs on: its log append takes 5 µs, its sync (if
    /// any) `sync` µs, its insert 2 µs; each follower (on its thread) queued at `t` and is done 1 µs after the
    /// wake-up.
    fn group(
        steps: &mut Vec<(u64, String, Step)>,
        thread: &str,
        leader: u64,
        followers: &[(u64, &str)],
        t: u64,
        sync: u64,
    ) {
        let mut push = |t: u64, thread: &str, step: Step| steps.push((t, thread.to_string(), step));
        push(t, thread, Step::Queued { writer: leader });
        for (writer, thread) in followers {
            push(t, thread, Step::Queued { writer: *writer });
        }
        let ids: Vec<u64> = followers.iter().map(|(writer, _)| *writer).collect();
        push(t + 1, thread, Step::Leads { writer: leader });
        push(
            t + 1,
            thread,
            Step::Group {
                leader,
                followers: ids.clone(),
            },
        );
        let mut end = t + 6;
        push(
            end,
            thread,
            Step::Log {
                leader,
                duration: at(5),
            },
        );
        if sync > 0 {
            end += sync;
            push(
                end,
                thread,
                Step::Sync {
                    leader,
                    duration: at(sync),
                },
            );
        }
        end += 2;
        push(
            end,
            thread,
            Step::Insert {
                leader,
                duration: at(2),
            },
        );
        push(
            end,
            thread,
            Step::Woken {
                leader,
                followers: ids,
            },
        );
        push(end, thread, Step::Done { writer: leader });
        for (writer, thread) in followers {
            push(end + 1, thread, Step::Done { writer: *writer });
        }
    }

    /// Two threads: #1 leads alone and syncs for 50 µs, #2 leads next, then #3 leads a group that carries #4's
    /// batch, and wakes it.
    #[test]
    fn one_rect_per_step_and_a_wake_line_per_follower() {
        let mut steps = Vec::new();
        group(&mut steps, "writer-0", 1, &[], 0, 50);
        group(&mut steps, "writer-1", 2, &[], 60, 0);
        group(&mut steps, "writer-0", 3, &[(4, "writer-1")], 70, 0);
        let end = steps.iter().map(|(t, _, _)| *t).max().unwrap();
        let stamps: Vec<Stamp<'_>> = steps
            .iter()
            .map(|(t, thread, step)| Stamp {
                at: at(*t),
                thread,
                step,
            })
            .collect();
        let svg = render(&stamps, "test");
        assert!(svg.starts_with("<svg ") && svg.ends_with("</svg>\n"));
        let count = |needle: &str| svg.matches(needle).count();
        assert_eq!(count("<g class=\"lane\""), 2);
        assert_eq!(count("<g class=\"group\""), 3);
        assert_eq!(count("class=\"step wait\""), 4);
        assert_eq!(count("class=\"step log\""), 3);
        assert_eq!(count("class=\"step sync\""), 1);
        assert_eq!(count("class=\"step insert\""), 3);
        assert_eq!(count("<line class=\"wake\""), 1);
        assert!(svg.contains("<g class=\"group\" data-leader=\"3\" data-followers=\"4\">"));
        // To scale: the sync's width is its share of the run's span.
        let sync = svg.split("class=\"step sync\"").nth(1).unwrap();
        let width: f64 = sync
            .split("width=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert!(
            (width - PLOT_WIDTH * 50.0 / end as f64).abs() < 0.01,
            "{width}"
        );
        assert!(
            svg.contains("#1 syncs the log (#1 alone) (50.0 µs)"),
            "{svg}"
        );
        assert_eq!(count("<g"), count("</g>"));
    }
}
