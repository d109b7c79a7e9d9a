//! The reports page: how the team is doing over a range of days, for owners and admins.
//!
//! Headline figures as cards, then charts drawn as plain inline SVG (no chart library:
//! a few rectangles and lines are all a support lead needs, and every byte ships to the
//! browser): volume per day, the first-response distribution, the CSAT trend, a weekday ×
//! hour heat map, and the per-agent table. The figures are fetched again whenever the
//! socket says a conversation started or was resolved, so the page stays current.

use chrono::{Days, NaiveDate};
use openapi::reports::{AgentReport, BusiestHours, DailyReport, ReportSummary};
use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::avatar::Avatar;
use crate::{
    app::{use_inbox, use_session},
    services::api,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Preset {
    Today,
    Week,
    Month,
    Custom,
}

impl Preset {
    const ALL: [Preset; 4] = [Preset::Today, Preset::Week, Preset::Month, Preset::Custom];

    fn key(self) -> &'static str {
        match self {
            Preset::Today => "today",
            Preset::Week => "7d",
            Preset::Month => "30d",
            Preset::Custom => "custom",
        }
    }

    fn title(self) -> &'static str {
        match self {
            Preset::Today => "Today",
            Preset::Week => "7 days",
            Preset::Month => "30 days",
            Preset::Custom => "Custom",
        }
    }
}

/// Everything the page shows, fetched together.
#[derive(Clone, PartialEq)]
struct Figures {
    summary: ReportSummary,
    daily: DailyReport,
    hours: BusiestHours,
    agents: AgentReport,
}

async fn fetch(query: &str) -> Result<Figures, api::Failure> {
    Ok(Figures {
        summary: api::report_summary(query).await?,
        daily: api::report_daily(query).await?,
        hours: api::report_busiest_hours(query).await?,
        agents: api::report_agents(query).await?,
    })
}

/// The query for a preset, given today in the workspace's zone (unknown before the first
/// answer: the server's default range is the last 7 days).
fn query_for(preset: Preset, today: Option<NaiveDate>, custom: &(String, String)) -> String {
    let range = |from: NaiveDate, to: NaiveDate| format!("from={from}&to={to}");
    match (preset, today) {
        (Preset::Custom, _) => format!("from={}&to={}", custom.0, custom.1),
        (Preset::Today, Some(today)) => range(today, today),
        (Preset::Month, Some(today)) => range(today - Days::new(29), today),
        (Preset::Week, Some(today)) => range(today - Days::new(6), today),
        (_, None) => String::new(),
    }
}

#[function_component]
pub fn Reports() -> Html {
    let session = use_session();
    let inbox = use_inbox();
    let preset = use_state(|| Preset::Week);
    let custom = use_state(|| (String::new(), String::new()));
    let today = use_state(|| None::<NaiveDate>);
    let figures = use_state(|| None::<Figures>);
    let failure = use_state(|| None::<String>);
    // Answers can arrive out of order (a quick change of range): only the newest counts.
    let generation = use_mut_ref(|| 0u32);
    let business = use_state(|| false);
    let query = match (query_for(*preset, *today, &custom), *business) {
        (query, false) => query,
        (query, true) if query.is_empty() => "business_hours=true".to_owned(),
        (query, true) => format!("{query}&business_hours=true"),
    };

    {
        let (figures, failure, today, generation) =
            (figures.clone(), failure.clone(), today.clone(), generation.clone());
        use_effect_with((query.clone(), inbox.report_news), move |(query, _)| {
            let query = query.clone();
            let mine = {
                let mut generation = generation.borrow_mut();
                *generation += 1;
                *generation
            };
            wasm_bindgen_futures::spawn_local(async move {
                let answer = fetch(&query).await;
                if *generation.borrow() != mine {
                    return;
                }
                match answer {
                    Ok(answer) => {
                        today.set(Some(answer.summary.range.today));
                        figures.set(Some(answer));
                        failure.set(None);
                    }
                    Err(err) => failure.set(Some(err.message)),
                }
            });
        });
    }

    if !session.is_admin() {
        return html! { <section class="reports"><p>{ "Reports are for owners and admins." }</p></section> };
    }

    let buttons = Preset::ALL.iter().map(|&p| {
        let active = *preset == p;
        let onclick = {
            let (preset, custom, figures) = (preset.clone(), custom.clone(), figures.clone());
            Callback::from(move |_| {
                if p == Preset::Custom && custom.0.is_empty() {
                    // Start from the range on screen.
                    if let Some(f) = &*figures {
                        custom.set((f.summary.range.from.to_string(), f.summary.range.to.to_string()));
                    }
                }
                preset.set(p);
            })
        };
        html! {
            <button class={classes!("segment", active.then_some("active"))} data-range={p.key()}
                aria-pressed={if active { "true" } else { "false" }} {onclick}>{ p.title() }</button>
        }
    });
    let custom_fields = (*preset == Preset::Custom).then(|| {
        let from_ref = NodeRef::default();
        let to_ref = NodeRef::default();
        let on_apply = {
            let (custom, from_ref, to_ref) = (custom.clone(), from_ref.clone(), to_ref.clone());
            Callback::from(move |event: SubmitEvent| {
                event.prevent_default();
                let read = |node: &NodeRef| node.cast::<HtmlInputElement>().map(|i| i.value()).unwrap_or_default();
                custom.set((read(&from_ref), read(&to_ref)));
            })
        };
        html! {
            <form class="custom-range" onsubmit={on_apply}>
                <label>{ "From" }<input ref={from_ref} type="date" name="from" value={custom.0.clone()} required=true /></label>
                <label>{ "To" }<input ref={to_ref} type="date" name="to" value={custom.1.clone()} required=true /></label>
                <button class="button small" type="submit">{ "Apply" }</button>
            </form>
        }
    });

    let body = match &*figures {
        None if failure.is_none() => {
            html! { <div class="card empty muted" aria-busy="true">{ "Loading figures…" }</div> }
        }
        None => html! {},
        Some(f) => page(f, &query),
    };
    let range_text = figures.as_ref().map(|f| {
        let r = &f.summary.range;
        let days =
            if r.from == r.to { long_date(r.from) } else { format!("{} – {}", long_date(r.from), long_date(r.to)) };
        format!("Conversations started {days} · times in {}", r.time_zone)
    });
    html! {
        <section class="reports" aria-labelledby="reports-title" data-loaded={figures.is_some().then_some("")}>
            <header class="reports-head">
                <div>
                    <h1 id="reports-title">{ "Reports" }</h1>
                    <p class="muted" data-range-text="">{ range_text.unwrap_or_default() }</p>
                </div>
                <div class="range-picker">
                    <label class="check small" title="First response times count only the time the site was open">
                        <input type="checkbox" checked={*business} data-setting="business-hours-only"
                            onchange={let b = business.clone(); Callback::from(move |e: Event| b.set(e.target_unchecked_into::<HtmlInputElement>().checked()))} />
                        { "Business hours only" }
                    </label>
                    <div class="segmented" role="group" aria-label="Range">{ for buttons }</div>
                    { for custom_fields }
                </div>
            </header>
            if let Some(message) = &*failure {
                <div class="card report-error" role="alert">{ message.clone() }</div>
            }
            { body }
        </section>
    }
}

fn page(f: &Figures, query: &str) -> Html {
    html! {
        <>
            { cards(&f.summary) }
            <div class="report-grid">
                <article class="card chart-card wide">
                    <header class="chart-head">
                        <h2>{ "Volume over time" }</h2>
                        <div class="legend">
                            <span class="key answered"></span>{ "Answered" }
                            <span class="key missed"></span>{ "Missed" }
                            <span class="key waiting"></span>{ "Waiting" }
                            <a class="csv" href={api::report_csv_url("daily", query)} download="">{ "CSV" }</a>
                        </div>
                    </header>
                    { volume_chart(&f.daily) }
                </article>
                <article class="card chart-card">
                    <header class="chart-head"><h2>{ "First response time" }</h2>
                        <span class="muted small">{ format!("{} answered", f.summary.first_response.count) }</span></header>
                    { distribution_chart(&f.summary) }
                </article>
                <article class="card chart-card">
                    <header class="chart-head"><h2>{ "Satisfaction trend" }</h2>
                        <span class="muted small">{ "Share of ratings 4 or 5, per day" }</span></header>
                    { csat_chart(&f.daily) }
                </article>
                <article class="card chart-card wide">
                    <header class="chart-head">
                        <h2>{ "Busiest hours" }</h2>
                        <div class="legend">
                            <span class="muted small">{ "Conversations started, by weekday and hour" }</span>
                            <a class="csv" href={api::report_csv_url("busiest-hours", query)} download="">{ "CSV" }</a>
                        </div>
                    </header>
                    { heat_map(&f.hours) }
                </article>
                <article class="card wide">
                    <header class="chart-head">
                        <h2>{ "Agents" }</h2>
                        <a class="csv" href={api::report_csv_url("agents", query)} download="">{ "CSV" }</a>
                    </header>
                    { agent_table(&f.agents) }
                </article>
            </div>
        </>
    }
}

fn cards(s: &ReportSummary) -> Html {
    let share = |part: u64| {
        if s.conversations_started == 0 { None } else { Some(part as f64 / s.conversations_started as f64) }
    };
    let card = |key: &'static str, label: &'static str, value: String, sub: String| {
        html! {
            <div class="stat card" data-figure={key}>
                <span class="stat-label">{ label }</span>
                <span class="stat-value" data-value="">{ value }</span>
                <span class="stat-sub muted">{ sub }</span>
            </div>
        }
    };
    html! {
        <div class="stats">
            { card("started", "Started", s.conversations_started.to_string(),
                format!("{} messages each", s.messages_per_conversation.map(|m| format!("{m:.1}")).unwrap_or_else(|| "—".into()))) }
            { card("answered", "Answered", s.answered.to_string(), format!("{} of started", percent(share(s.answered)))) }
            { card("missed", "Missed", s.missed.to_string(), format!("{} still waiting", s.waiting)) }
            { card("first-response", "First reply", duration(s.first_response.median_seconds),
                format!("median · p90 {}", duration(s.first_response.p90_seconds))) }
            { card("resolution", "Resolution", duration(s.resolution.median_seconds),
                format!("median · p90 {}", duration(s.resolution.p90_seconds))) }
            { card("queue-wait", "Queue wait", duration(s.queue_wait.median_seconds),
                format!("median · p90 {}", duration(s.queue_wait.p90_seconds))) }
            { card("csat", "CSAT", percent(s.csat.good_share), format!("{} good of {} ratings", s.csat.good, s.csat.ratings)) }
        </div>
    }
}

// Chart geometry, in SVG user units; the SVG scales to its card's width.
const W: f64 = 720.0;
const H: f64 = 220.0;
const LEFT: f64 = 36.0;
const BOTTOM: f64 = 26.0;
const TOP: f64 = 12.0;

/// A round upper bound for an axis (1, 2, 5, 10, 20, 50…), at least `max`.
fn nice_max(max: f64) -> f64 {
    if max <= 0.0 {
        return 1.0;
    }
    let magnitude = 10f64.powf(max.log10().floor());
    [1.0, 2.0, 5.0, 10.0].iter().map(|m| m * magnitude).find(|&m| m >= max).unwrap_or(10.0 * magnitude)
}

/// The values an axis of counts from 0 to `top` marks: whole numbers only, evenly
/// spaced, two to five intervals. (Halving a top of 5 marked "2" at 2.5.)
fn axis_ticks(top: f64) -> Vec<f64> {
    let top = top.max(1.0);
    // The smallest round step (1, 2, 5, 10, 20…) that divides the top in at most five.
    let step = (0..8)
        .flat_map(|e| [1.0, 2.0, 5.0].map(|m| m * 10f64.powi(e)))
        .find(|step| top / step <= 5.0 && (top / step).fract() == 0.0)
        .unwrap_or(top);
    let intervals = (top / step).round() as usize;
    (0..=intervals).map(|i| i as f64 * step).collect()
}

fn gridlines(top: f64, label: impl Fn(f64) -> String) -> Html {
    let lines = axis_ticks(top).into_iter().map(|value| {
        let y = H - BOTTOM - value / top * (H - BOTTOM - TOP);
        html! {
            <g class="grid" data-tick={value.to_string()}>
                <line x1={LEFT.to_string()} x2={W.to_string()} y1={y.to_string()} y2={y.to_string()} />
                <text x={(LEFT - 6.0).to_string()} y={(y + 4.0).to_string()} text-anchor="end">{ label(value) }</text>
            </g>
        }
    });
    html! { <>{ for lines }</> }
}

fn volume_chart(daily: &DailyReport) -> Html {
    let days = &daily.days;
    let max = days.iter().map(|d| d.conversations_started).max().unwrap_or(0);
    let top = nice_max(max as f64);
    let slot = (W - LEFT) / days.len().max(1) as f64;
    let bar = (slot * 0.64).min(36.0);
    let scale = (H - BOTTOM - TOP) / top;
    let label_every = (days.len() / 10).max(1);
    let bars = days.iter().enumerate().map(|(i, d)| {
        let x = LEFT + slot * i as f64 + (slot - bar) / 2.0;
        let waiting = d.conversations_started - d.answered - d.missed;
        let mut y = H - BOTTOM;
        let mut segment = |count: u64, class: &'static str| {
            let height = count as f64 * scale;
            y -= height;
            (count > 0).then(|| html! {
                <rect class={class} x={x.to_string()} y={y.to_string()} width={bar.to_string()} height={height.to_string()} rx="2" />
            })
        };
        let parts = [segment(d.answered, "answered"), segment(d.missed, "missed"), segment(waiting, "waiting")];
        let label = (i % label_every == 0).then(|| html! {
            <text class="axis" x={(x + bar / 2.0).to_string()} y={(H - 8.0).to_string()} text-anchor="middle">{ short_date(d.date) }</text>
        });
        html! {
            <g class="bar" data-date={d.date.to_string()} data-started={d.conversations_started.to_string()}
                data-answered={d.answered.to_string()} data-missed={d.missed.to_string()}>
                <title>{ format!("{}: {} started, {} answered, {} missed", long_date(d.date), d.conversations_started, d.answered, d.missed) }</title>
                <rect class="hit" x={(LEFT + slot * i as f64).to_string()} y={TOP.to_string()} width={slot.to_string()} height={(H - BOTTOM - TOP).to_string()} />
                { for parts.into_iter().flatten() }
                { for label }
            </g>
        }
    });
    html! {
        <svg class="chart" data-chart="volume" viewBox={format!("0 0 {W} {H}")} role="img"
            aria-label={format!("Conversations per day, at most {max}")}>
            { gridlines(top, |v| format!("{v:.0}")) }
            { for bars }
        </svg>
    }
}

fn distribution_chart(summary: &ReportSummary) -> Html {
    let buckets = &summary.first_response_distribution;
    let (w, h) = (360.0, 220.0);
    let max = buckets.iter().map(|b| b.conversations).max().unwrap_or(0);
    let slot = (w - 8.0) / buckets.len().max(1) as f64;
    let bar = slot * 0.7;
    let scale = (h - 58.0) / max.max(1) as f64;
    let bars = buckets.iter().enumerate().map(|(i, b)| {
        let x = 4.0 + slot * i as f64 + (slot - bar) / 2.0;
        let height = (b.conversations as f64 * scale).max(if b.conversations > 0 { 2.0 } else { 0.0 });
        let y = h - 40.0 - height;
        html! {
            <g class="bucket" data-bucket={b.label.clone()} data-count={b.conversations.to_string()}>
                <title>{ format!("{}: {} conversations", b.label, b.conversations) }</title>
                <rect class="baseline" x={x.to_string()} y={(h - 41.0).to_string()} width={bar.to_string()} height="1" />
                <rect class="answered" x={x.to_string()} y={y.to_string()} width={bar.to_string()} height={height.to_string()} rx="3" />
                <text class="value" x={(x + bar / 2.0).to_string()} y={(y - 6.0).to_string()} text-anchor="middle">{ b.conversations }</text>
                <text class="axis" x={(x + bar / 2.0).to_string()} y={(h - 22.0).to_string()} text-anchor="middle">{ bucket_label(b.from_seconds, b.to_seconds) }</text>
            </g>
        }
    });
    html! {
        <svg class="chart" data-chart="first-response" viewBox={format!("0 0 {w} {h}")} role="img"
            aria-label="How long first responses took">
            { for bars }
        </svg>
    }
}

fn csat_chart(daily: &DailyReport) -> Html {
    let (w, h) = (360.0, 220.0);
    let (left, bottom, top) = (40.0, 40.0, 16.0);
    let n = daily.days.len().max(1);
    let step = (w - left - 12.0) / (n.max(2) - 1) as f64;
    let points: Vec<(f64, f64, &openapi::reports::DailyFigures)> = daily
        .days
        .iter()
        .enumerate()
        .filter(|(_, d)| d.ratings > 0)
        .map(|(i, d)| {
            let share = d.good_ratings as f64 / d.ratings as f64;
            let x = if n == 1 { left + (w - left - 12.0) / 2.0 } else { left + step * i as f64 };
            (x, h - bottom - share * (h - bottom - top), d)
        })
        .collect();
    let path: String = points
        .iter()
        .enumerate()
        .map(|(i, (x, y, _))| format!("{}{x:.1},{y:.1}", if i == 0 { "M" } else { " L" }))
        .collect();
    let grid = [0.0, 0.5, 1.0].map(|f| {
        let y = h - bottom - f * (h - bottom - top);
        html! {
            <g class="grid">
                <line x1={left.to_string()} x2={(w - 4.0).to_string()} y1={y.to_string()} y2={y.to_string()} />
                <text x={(left - 6.0).to_string()} y={(y + 4.0).to_string()} text-anchor="end">{ format!("{:.0}%", f * 100.0) }</text>
            </g>
        }
    });
    let dots = points.iter().map(|(x, y, d)| {
        let share = d.good_ratings as f64 / d.ratings as f64;
        html! {
            <g class="point" data-date={d.date.to_string()} data-good={d.good_ratings.to_string()} data-ratings={d.ratings.to_string()}>
                <title>{ format!("{}: {:.0}% good ({} of {})", long_date(d.date), share * 100.0, d.good_ratings, d.ratings) }</title>
                <circle cx={x.to_string()} cy={y.to_string()} r="4.5" />
            </g>
        }
    });
    let first = daily.days.first().map(|d| short_date(d.date)).unwrap_or_default();
    let last = daily.days.last().map(|d| short_date(d.date)).unwrap_or_default();
    html! {
        <svg class="chart" data-chart="csat" viewBox={format!("0 0 {w} {h}")} role="img" aria-label="Share of good ratings per day">
            { for grid }
            if points.is_empty() {
                <text class="empty-note" x={((w + left) / 2.0).to_string()} y={(h / 2.0).to_string()} text-anchor="middle">{ "No ratings in this range" }</text>
            } else {
                <path class="trend" d={path} />
            }
            { for dots }
            <text class="axis" x={left.to_string()} y={(h - 20.0).to_string()} text-anchor="start">{ first }</text>
            <text class="axis" x={(w - 4.0).to_string()} y={(h - 20.0).to_string()} text-anchor="end">{ last }</text>
        </svg>
    }
}

const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

fn heat_map(hours: &BusiestHours) -> Html {
    let (left, top, cell, gap) = (40.0, 18.0, 26.0, 3.0);
    let w = left + 24.0 * (cell + gap);
    let h = top + 7.0 * (cell + gap);
    let max = hours.max.max(1) as f64;
    let rows = hours.weekdays.iter().enumerate().map(|(day, counts)| {
        let y = top + day as f64 * (cell + gap);
        let cells = counts.iter().enumerate().map(|(hour, &count)| {
            let x = left + hour as f64 * (cell + gap);
            // Light to full accent; an empty hour stays a faint grey tile.
            let opacity = if count == 0 { 0.0 } else { 0.18 + 0.82 * count as f64 / max };
            html! {
                <g class="cell" data-weekday={day.to_string()} data-hour={hour.to_string()} data-count={count.to_string()}>
                    <title>{ format!("{} {hour:02}:00–{:02}:00: {count} conversations", WEEKDAYS[day], (hour + 1) % 24) }</title>
                    <rect class="tile" x={x.to_string()} y={y.to_string()} width={cell.to_string()} height={cell.to_string()} rx="4" />
                    if count > 0 {
                        <rect class="heat" x={x.to_string()} y={y.to_string()} width={cell.to_string()} height={cell.to_string()} rx="4"
                            fill-opacity={format!("{opacity:.3}")} />
                    }
                </g>
            }
        });
        html! {
            <g class="weekday">
                <text class="axis" x={(left - 8.0).to_string()} y={(y + cell / 2.0 + 4.0).to_string()} text-anchor="end">{ WEEKDAYS[day] }</text>
                { for cells }
            </g>
        }
    });
    let hour_labels = (0..24).step_by(3).map(|hour| {
        let x = left + hour as f64 * (cell + gap) + cell / 2.0;
        html! { <text class="axis" x={x.to_string()} y="11" text-anchor="middle">{ format!("{hour:02}") }</text> }
    });
    html! {
        <svg class="chart heat-map" data-chart="hours" viewBox={format!("0 0 {w} {h}")} role="img"
            aria-label={format!("Conversations by weekday and hour, at most {} in one hour", hours.max)}>
            { for hour_labels }
            { for rows }
        </svg>
    }
}

fn agent_table(report: &AgentReport) -> Html {
    let busiest = report.agents.iter().map(|a| a.conversations_handled).max().unwrap_or(0).max(1);
    let rows = report.agents.iter().map(|a| {
        let width = format!("{:.1}", a.conversations_handled as f64 * 64.0 / busiest as f64);
        html! {
            <tr data-agent={a.agent_id.to_string()}>
                <td><span class="agent-cell"><Avatar name={a.name.clone()} seed={a.agent_id.to_string()} />{ a.name.clone() }</span></td>
                <td class="right" data-column="handled">
                    <svg class="inline-bar" viewBox="0 0 64 6" width="64" height="6" aria-hidden="true">
                        <rect class="track" width="64" height="6" rx="3" />
                        <rect class="fill" width={width} height="6" rx="3" />
                    </svg>
                    { a.conversations_handled }
                </td>
                <td class="right" data-column="replied">{ a.replied }</td>
                <td class="right" data-column="resolved">{ a.resolved }</td>
                <td class="right" data-column="first-response">{ duration(a.median_first_response_seconds) }</td>
                <td class="right" data-column="csat">
                    { percent(a.csat.good_share) }
                    if a.csat.ratings > 0 { <span class="muted small">{ format!(" ({})", a.csat.ratings) }</span> }
                </td>
                <td class="right" data-column="online">{ if a.online_seconds > 0 { duration(Some(a.online_seconds)) } else { "—".into() } }</td>
                <td class="right" data-column="peak">{ a.peak_concurrent }</td>
            </tr>
        }
    });
    html! {
        <table class="table agent-table">
            <thead><tr>
                <th>{ "Agent" }</th><th class="right" title="Conversations the agent replied to or resolved">{ "Handled" }</th>
                <th class="right">{ "Replied" }</th><th class="right">{ "Resolved" }</th>
                <th class="right" title="Of the conversations they answered first">{ "Median first response" }</th>
                <th class="right">{ "CSAT" }</th><th class="right">{ "Time online" }</th><th class="right">{ "Peak load" }</th>
            </tr></thead>
            <tbody>{ for rows }</tbody>
        </table>
    }
}

/// `45s`, `3m 20s`, `2h 5m`: compact, so a card or a table cell never wraps; a dash when
/// there is nothing to measure.
fn duration(seconds: Option<i64>) -> String {
    match seconds {
        None => "—".into(),
        Some(s) if s < 60 => format!("{s}s"),
        Some(s) if s < 3600 => match s % 60 {
            0 => format!("{}m", s / 60),
            rest => format!("{}m {rest}s", s / 60),
        },
        Some(s) => match (s % 3600) / 60 {
            0 => format!("{}h", s / 3600),
            minutes => format!("{}h {minutes}m", s / 3600),
        },
    }
}

/// A bucket's bounds as a short axis label: `<30s`, `1–2m`, `≥1h`.
fn bucket_label(from: i64, to: Option<i64>) -> String {
    let short = |s: i64| {
        if s < 60 {
            format!("{s}s")
        } else if s < 3600 {
            format!("{}m", s / 60)
        } else {
            format!("{}h", s / 3600)
        }
    };
    match to {
        None => format!("≥{}", short(from)),
        Some(to) if from == 0 => format!("<{}", short(to)),
        // `1–2m` and `15–60m` rather than `1m–2m` and `15m–1h`.
        Some(to) if from >= 60 && to <= 3600 => format!("{}–{}m", from / 60, to / 60),
        Some(to) => format!("{}–{}", short(from), short(to)),
    }
}

fn percent(share: Option<f64>) -> String {
    share.map(|s| format!("{:.0}%", s * 100.0)).unwrap_or_else(|| "—".into())
}

fn short_date(date: NaiveDate) -> String {
    date.format("%b %-d").to_string()
}

fn long_date(date: NaiveDate) -> String {
    date.format("%a %b %-d, %Y").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axis_ticks_are_whole_evenly_spaced_counts() {
        assert_eq!(axis_ticks(1.0), vec![0.0, 1.0]);
        assert_eq!(axis_ticks(2.0), vec![0.0, 1.0, 2.0]);
        assert_eq!(axis_ticks(5.0), vec![0.0, 1.0, 2.0, 3.0, 4.0, 5.0]);
        assert_eq!(axis_ticks(10.0), vec![0.0, 2.0, 4.0, 6.0, 8.0, 10.0]);
        assert_eq!(axis_ticks(20.0), vec![0.0, 5.0, 10.0, 15.0, 20.0]);
        assert_eq!(axis_ticks(50.0), vec![0.0, 10.0, 20.0, 30.0, 40.0, 50.0]);
        assert_eq!(axis_ticks(200.0), vec![0.0, 50.0, 100.0, 150.0, 200.0]);
        for top in [1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 1000.0] {
            assert!(axis_ticks(top).iter().all(|v| v.fract() == 0.0), "whole numbers for {top}");
            assert_eq!(*axis_ticks(top).last().unwrap(), top);
        }
    }
}
