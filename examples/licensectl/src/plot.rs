//! `licensectl count --plot`: the count history as an SVG chart — the
//! actioned count over time against the licensed limit, the trend line and
//! the date it is projected to reach the limit.
//!
//! Drawn with plotters' SVG backend only. Text is laid out with fixed
//! metrics (no font is loaded), and every coordinate comes from the history
//! alone, so the same history gives the same bytes on every machine.

use std::ops::Range;

use license_core::actioned::{CountHistory, Trend};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use time::{Duration, OffsetDateTime};

use crate::cli::CliError;

/// The chart's size in pixels.
const SIZE: (u32, u32) = (960, 540);
/// The count line and its points.
const COUNT: RGBColor = RGBColor(31, 119, 180);
/// The licensed limit.
const LIMIT: RGBColor = RGBColor(214, 39, 40);
/// The trend line and the projected crossing.
const TREND: RGBColor = RGBColor(255, 127, 14);
/// The chart reaches at most this many times the history's span past its
/// last count to show a projected crossing (at least `MIN_HORIZON_DAYS`).
const HORIZON_SPANS: f64 = 2.0;
/// See [`HORIZON_SPANS`].
const MIN_HORIZON_DAYS: f64 = 14.0;

/// Days from `t0` to `t`, the chart's x coordinate.
fn days(t0: OffsetDateTime, t: OffsetDateTime) -> f64 {
    (t - t0).as_seconds_f64() / 86_400.0
}

/// `t`'s date, `YYYY-MM-DD`.
fn date(t: OffsetDateTime) -> String {
    let d = t.date();
    format!("{}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// The date at `x` days after `t0`, for axis labels; with the hour when
/// the chart spans only a few days (labels would repeat a date otherwise).
fn date_at(t0: OffsetDateTime, x: f64, with_hour: bool) -> String {
    let t = t0.checked_add(Duration::seconds_f64(x * 86_400.0)).unwrap_or(t0);
    if with_hour {
        format!("{} {:02}:{:02}", date(t), t.hour(), t.minute())
    } else {
        date(t)
    }
}

/// The legend's share of the plot's width and height (it holds three
/// lines of about 35 characters).
const LEGEND_SHARE: (f64, f64) = (0.4, 0.22);

/// The first place (a corner, else the middle of a side) whose
/// legend-sized box holds none of `marks` (points, in chart coordinates)
/// and no part of the horizontal line at `limit`; the lower right when
/// every place is taken.
fn legend_corner(
    marks: &[(f64, f64)],
    limit: Option<f64>,
    x: &Range<f64>,
    y: &Range<f64>,
) -> SeriesLabelPosition {
    let (w, h) = ((x.end - x.start) * LEGEND_SHARE.0, (y.end - y.start) * LEGEND_SHARE.1);
    let middle = (y.start + y.end - h) / 2.0..(y.start + y.end + h) / 2.0;
    let corners = [
        (SeriesLabelPosition::LowerRight, x.end - w..x.end, y.start..y.start + h),
        (SeriesLabelPosition::UpperLeft, x.start..x.start + w, y.end - h..y.end),
        (SeriesLabelPosition::LowerLeft, x.start..x.start + w, y.start..y.start + h),
        (SeriesLabelPosition::UpperRight, x.end - w..x.end, y.end - h..y.end),
        (SeriesLabelPosition::MiddleRight, x.end - w..x.end, middle.clone()),
        (SeriesLabelPosition::MiddleLeft, x.start..x.start + w, middle),
    ];
    for (corner, xs, ys) in corners {
        let crossed = limit.is_some_and(|l| ys.contains(&l));
        if !crossed && !marks.iter().any(|(px, py)| xs.contains(px) && ys.contains(py)) {
            return corner;
        }
    }
    SeriesLabelPosition::LowerRight
}

/// Draws `history` (at least one count) as an SVG document. `trend` is the
/// history's trend over its latest `window` counts, if there is one.
pub fn history_svg(history: &CountHistory, trend: Option<&Trend>, window: usize) -> Result<String, CliError> {
    let counts = history.counts();
    let (Some(first), Some(last)) = (counts.first(), counts.last()) else {
        return Err(CliError::Io("the count history is empty: nothing to draw".into()));
    };
    let t0 = first.as_of();
    let last_x = days(t0, last.as_of());
    let limit = last.limit().counted();

    // Show the projected crossing when it falls within a horizon that keeps
    // the history readable; otherwise only the caption names it.
    let horizon = last_x + (last_x * HORIZON_SPANS).max(MIN_HORIZON_DAYS);
    let crossing = trend.and_then(|t| t.crosses_limit_at).map(|at| (at, days(t0, at)));
    let shown_crossing = crossing.filter(|&(_, x)| (0.0..=horizon).contains(&x));
    let x_end = shown_crossing.map_or(last_x, |(_, x)| x.max(last_x));
    let x_pad = (x_end * 0.04).max(0.5);
    let x_range = -x_pad..x_end + x_pad;

    let highest = counts.iter().map(|c| c.total().max(c.limit().counted().unwrap_or(0))).max().unwrap_or(0);
    let y_top = ((highest as f64) * 1.15).max(10.0);

    let caption = match (limit, crossing) {
        (None, _) => "Actioned certificates (site license: no limit)".to_owned(),
        (Some(n), Some((at, _))) if last.total() >= n => {
            format!("Actioned certificates: over the limit of {n} (trend crossed it {})", date(at))
        }
        (Some(n), Some((at, _))) => {
            format!("Actioned certificates: projected to reach the limit of {n} on {}", date(at))
        }
        (Some(n), None) if last.total() >= n => format!("Actioned certificates: over the limit of {n}"),
        (Some(n), None) => format!("Actioned certificates: limit {n}, not projected to be reached"),
    };

    // Under a week, whole-day labels would repeat: label hours too.
    let short = x_range.end - x_range.start < 7.0;
    // What the legend must not cover: the points, and the trend line.
    let mut marks: Vec<(f64, f64)> = counts.iter().map(|c| (days(t0, c.as_of()), c.total() as f64)).collect();
    let draw_error = |e: &dyn std::fmt::Display| CliError::Io(format!("cannot draw the chart: {e}"));
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
        root.fill(&WHITE).map_err(|e| draw_error(&e))?;
        let mut chart = ChartBuilder::on(&root)
            .caption(caption, ("sans-serif", 22))
            .margin(16)
            // Room for the last date label, centred on the right edge.
            .margin_right(72)
            .x_label_area_size(44)
            .y_label_area_size(72)
            .build_cartesian_2d(x_range.clone(), 0.0..y_top)
            .map_err(|e| draw_error(&e))?;
        chart
            .configure_mesh()
            .x_desc("date (UTC)")
            .y_desc("actioned certificates")
            .x_labels(if short { 5 } else { 8 })
            .y_labels(8)
            .x_label_formatter(&|x| date_at(t0, *x, short))
            .y_label_formatter(&|y| format!("{y:.0}"))
            .light_line_style(WHITE.mix(0.0))
            .label_style(("sans-serif", 14))
            .axis_desc_style(("sans-serif", 16))
            .draw()
            .map_err(|e| draw_error(&e))?;

        // The licensed limit, as it was at each count (a renewal may change
        // it), carried on to the chart's right edge.
        let mut steps: Vec<(f64, f64)> = Vec::new();
        for c in counts {
            if let Some(n) = c.limit().counted() {
                let x = days(t0, c.as_of());
                if let Some(&(_, y)) = steps.last() {
                    steps.push((x, y));
                }
                steps.push((x, n as f64));
            }
        }
        if let Some(&(x, y)) = steps.last() {
            steps.push((x.max(x_range.end), y));
            // A limit since the first count reaches the left edge too.
            if first.limit().counted().is_some() {
                steps[0].0 = x_range.start;
            }
            let label =
                limit.map_or_else(|| "licensed limit".to_owned(), |n| format!("licensed limit ({n})"));
            chart
                .draw_series(LineSeries::new(steps, LIMIT.stroke_width(2)))
                .map_err(|e| draw_error(&e))?
                .label(label)
                .legend(|(x, y)| PathElement::new([(x, y), (x + 20, y)], LIMIT.stroke_width(2)));
        }

        let points: Vec<(f64, f64)> =
            counts.iter().map(|c| (days(t0, c.as_of()), c.total() as f64)).collect();
        chart
            .draw_series(LineSeries::new(points.iter().copied(), COUNT.stroke_width(2)))
            .map_err(|e| draw_error(&e))?
            .label(format!("actioned certificates (latest {})", last.total()))
            .legend(|(x, y)| PathElement::new([(x, y), (x + 20, y)], COUNT.stroke_width(2)));
        chart
            .draw_series(points.iter().map(|&p| Circle::new(p, 4, COUNT.filled())))
            .map_err(|e| draw_error(&e))?;

        if let Some(trend) = trend {
            // The fitted line from the first count of its window to a
            // crossing still ahead (or the chart's edge).
            let from = days(t0, counts[counts.len() - window.clamp(2, counts.len())].as_of());
            let to = shown_crossing.map_or(x_range.end, |(_, x)| if x > last_x { x } else { x_range.end });
            let at = |x: f64| trend.fitted_latest + trend.per_day * (x - last_x);
            marks.extend((0..=64).map(|i| from + (to - from) * f64::from(i) / 64.0).map(|x| (x, at(x))));
            chart
                .draw_series(DashedLineSeries::new(
                    [(from, at(from)), (to, at(to))],
                    8,
                    6,
                    TREND.stroke_width(2),
                ))
                .map_err(|e| draw_error(&e))?
                .label(format!("trend ({:+.1} per day)", trend.per_day))
                .legend(|(x, y)| PathElement::new([(x, y), (x + 20, y)], TREND.stroke_width(2)));
        }
        if let (Some((at, x)), Some(n)) = (shown_crossing, limit) {
            let y = n as f64;
            chart.draw_series([Cross::new((x, y), 8, TREND.stroke_width(3))]).map_err(|e| draw_error(&e))?;
            // Label on the side with room: left of a crossing near the
            // right edge.
            let anchor = if x > (x_range.start + x_range.end) / 2.0 {
                Pos::new(HPos::Right, VPos::Bottom)
            } else {
                Pos::new(HPos::Left, VPos::Bottom)
            };
            let style = ("sans-serif", 16).into_font().color(&TREND).pos(anchor);
            let word = if x > last_x { "projected" } else { "crossed" };
            chart
                .draw_series([Text::new(format!("{word} {}", date(at)), (x, y + y_top * 0.03), style)])
                .map_err(|e| draw_error(&e))?;
        }

        chart
            .configure_series_labels()
            .position(legend_corner(&marks, limit.map(|n| n as f64), &x_range, &(0.0..y_top)))
            .background_style(WHITE.mix(0.9))
            .border_style(BLACK.mix(0.4))
            .label_font(("sans-serif", 15))
            .draw()
            .map_err(|e| draw_error(&e))?;
        root.present().map_err(|e| draw_error(&e))?;
    }
    Ok(svg)
}
