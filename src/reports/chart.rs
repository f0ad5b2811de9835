//! Lays out a [`Chart`] as simple shapes (rectangles, polylines, text) that both the
//! SVG (HTML) and the PDF renderer draw. Coordinates have y growing downwards.

use super::markdown::format_value;
use super::model::{Chart, ChartKind};

/// Series colours (RGB), chosen to stay distinct in greyscale print too.
pub const PALETTE: [(u8, u8, u8); 6] = [
    (43, 108, 176),
    (221, 107, 32),
    (56, 161, 105),
    (128, 90, 213),
    (213, 63, 140),
    (49, 151, 149),
];

/// A light grey for grid lines and a dark one for text.
pub const GRID: (u8, u8, u8) = (210, 214, 220);
pub const INK: (u8, u8, u8) = (45, 55, 72);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Anchor {
    Start,
    Middle,
    End,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Shape {
    Rect {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        color: (u8, u8, u8),
    },
    Line {
        points: Vec<(f32, f32)>,
        color: (u8, u8, u8),
        width: f32,
    },
    Text {
        x: f32,
        y: f32,
        text: String,
        size: f32,
        anchor: Anchor,
        color: (u8, u8, u8),
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct ChartLayout {
    pub width: f32,
    pub height: f32,
    pub shapes: Vec<Shape>,
}

/// A rough text width for Helvetica-like fonts; good enough to place labels.
pub fn approx_width(text: &str, size: f32) -> f32 {
    text.chars().count() as f32 * size * 0.52
}

fn shorten(text: &str, max_width: f32, size: f32) -> String {
    if approx_width(text, size) <= max_width {
        return text.to_owned();
    }
    let keep = ((max_width / (size * 0.52)) as usize)
        .saturating_sub(1)
        .max(1);
    let mut s: String = text.chars().take(keep).collect();
    s.push('…');
    s
}

/// A "nice" axis step (1, 2 or 5 × 10^n) giving about `ticks` intervals up to `max`.
pub fn nice_step(max: f64, ticks: u32) -> f64 {
    let raw = (max / f64::from(ticks.max(1))).max(1e-9);
    let mag = 10f64.powf(raw.log10().floor());
    let norm = raw / mag;
    let nice = if norm <= 1.0 {
        1.0
    } else if norm <= 2.0 {
        2.0
    } else if norm <= 5.0 {
        5.0
    } else {
        10.0
    };
    nice * mag
}

/// Short axis labels: 1,500,000 → "1.5M", 25,000 → "25k".
pub fn short_value(v: f64) -> String {
    let a = v.abs();
    if a >= 1e6 {
        trim_zero(format!("{:.1}M", v / 1e6))
    } else if a >= 1e3 {
        trim_zero(format!("{:.1}k", v / 1e3))
    } else {
        format_value(v)
    }
}

fn trim_zero(s: String) -> String {
    s.replace(".0M", "M").replace(".0k", "k")
}

/// Lays out a chart in a `width` × `height` box.
pub fn layout(chart: &Chart, width: f32, height: f32) -> ChartLayout {
    let mut shapes = Vec::new();
    let title_size = 11.0;
    let label_size = 8.5;
    shapes.push(Shape::Text {
        x: 0.0,
        y: title_size,
        text: if chart.unit.is_empty() {
            chart.title.clone()
        } else {
            format!("{} ({})", chart.title, chart.unit)
        },
        size: title_size,
        anchor: Anchor::Start,
        color: INK,
    });
    // Legend row under the title.
    let legend_y = title_size + 16.0;
    let mut lx = 0.0;
    for (i, s) in chart.series.iter().enumerate() {
        let color = PALETTE[i % PALETTE.len()];
        shapes.push(Shape::Rect {
            x: lx,
            y: legend_y - 8.0,
            w: 9.0,
            h: 9.0,
            color,
        });
        let name = shorten(&s.name, width / 2.0, label_size);
        let w = approx_width(&name, label_size);
        shapes.push(Shape::Text {
            x: lx + 13.0,
            y: legend_y,
            text: name,
            size: label_size,
            anchor: Anchor::Start,
            color: INK,
        });
        lx += 13.0 + w + 16.0;
    }
    let max = chart.max_value();
    let step = nice_step(max, 4);
    let top_value = (max / step).ceil() * step;
    let plot_left = 52.0;
    let plot_top = legend_y + 14.0;
    let plot_bottom = height - 22.0;
    let plot_right = width - 8.0;
    let plot_h = (plot_bottom - plot_top).max(10.0);
    let plot_w = (plot_right - plot_left).max(10.0);
    let y_of = |v: f64| plot_bottom - (v / top_value).clamp(0.0, 1.0) as f32 * plot_h;
    let mut tick = 0.0;
    while tick <= top_value + step / 2.0 {
        let y = y_of(tick);
        shapes.push(Shape::Line {
            points: vec![(plot_left, y), (plot_right, y)],
            color: GRID,
            width: 0.6,
        });
        shapes.push(Shape::Text {
            x: plot_left - 5.0,
            y: y + 3.0,
            text: short_value(tick),
            size: label_size,
            anchor: Anchor::End,
            color: INK,
        });
        tick += step;
    }
    let n = chart.categories.len().max(1);
    let slot = plot_w / n as f32;
    for (i, cat) in chart.categories.iter().enumerate() {
        shapes.push(Shape::Text {
            x: plot_left + slot * (i as f32 + 0.5),
            y: plot_bottom + 13.0,
            text: shorten(cat, slot - 4.0, label_size),
            size: label_size,
            anchor: Anchor::Middle,
            color: INK,
        });
    }
    match chart.kind {
        ChartKind::Bar => {
            let groups = chart.series.len().max(1) as f32;
            let group_w = slot * 0.7;
            let bar_w = group_w / groups;
            for (si, s) in chart.series.iter().enumerate() {
                let color = PALETTE[si % PALETTE.len()];
                for (ci, v) in s.values.iter().enumerate().take(n) {
                    let v = if v.is_finite() { v.max(0.0) } else { 0.0 };
                    let x =
                        plot_left + slot * ci as f32 + (slot - group_w) / 2.0 + bar_w * si as f32;
                    let y = y_of(v);
                    shapes.push(Shape::Rect {
                        x: x + 1.0,
                        y,
                        w: (bar_w - 2.0).max(1.0),
                        h: (plot_bottom - y).max(0.0),
                        color,
                    });
                }
            }
        }
        ChartKind::Line => {
            for (si, s) in chart.series.iter().enumerate() {
                let color = PALETTE[si % PALETTE.len()];
                let points: Vec<(f32, f32)> = s
                    .values
                    .iter()
                    .enumerate()
                    .take(n)
                    .map(|(ci, v)| {
                        let v = if v.is_finite() { v.max(0.0) } else { 0.0 };
                        (plot_left + slot * (ci as f32 + 0.5), y_of(v))
                    })
                    .collect();
                for &(x, y) in &points {
                    shapes.push(Shape::Rect {
                        x: x - 2.0,
                        y: y - 2.0,
                        w: 4.0,
                        h: 4.0,
                        color,
                    });
                }
                shapes.push(Shape::Line {
                    points,
                    color,
                    width: 1.8,
                });
            }
        }
    }
    // Axis line last so bars do not cover it.
    shapes.push(Shape::Line {
        points: vec![(plot_left, plot_bottom), (plot_right, plot_bottom)],
        color: INK,
        width: 0.8,
    });
    ChartLayout {
        width,
        height,
        shapes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nice_steps() {
        assert_eq!(nice_step(100.0, 4), 50.0);
        assert_eq!(nice_step(330_000.0, 4), 100_000.0);
        assert_eq!(nice_step(7.0, 4), 2.0);
        assert_eq!(short_value(1_500_000.0), "1.5M");
        assert_eq!(short_value(300_000.0), "300k");
    }
}
