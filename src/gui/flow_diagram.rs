//! The mail-flow diagram: hops drawn as boxes with arrows between them, with egui shapes.

use egui::{Align2, FontId, Pos2, Rect, Sense, Stroke, Ui, Vec2};

/// One box in the diagram.
#[derive(Debug, Clone, PartialEq)]
pub struct Hop {
    pub label: String,
    /// A second, smaller line (e.g. "on-premises server").
    pub note: String,
}

/// An arrow from hop `from` to hop `to`, with an optional label.
#[derive(Debug, Clone, PartialEq)]
pub struct Arrow {
    pub from: usize,
    pub to: usize,
    pub label: String,
}

const GAP_X: f32 = 76.0;
const GAP_Y: f32 = 22.0;
const BOX_H: f32 = 70.0;

/// Draws hops left to right in `columns` (each column a list of hop indices, top to bottom) and
/// the arrows between them. The boxes share the available width; labels wrap inside them.
pub fn diagram(ui: &mut Ui, hops: &[Hop], columns: &[Vec<usize>], arrows: &[Arrow]) {
    let n = columns.len().max(1) as f32;
    let box_w = ((ui.available_width() - (n - 1.0) * GAP_X) / n).clamp(110.0, 180.0);
    let rows = columns.iter().map(|c| c.len()).max().unwrap_or(1).max(1) as f32;
    let width = n * (box_w + GAP_X) - GAP_X;
    let height = rows * (BOX_H + GAP_Y) - GAP_Y + 4.0;
    let (rect, response) = ui.allocate_exact_size(Vec2::new(width, height), Sense::hover());
    let painter = ui.painter_at(rect.expand(2.0));
    let visuals = ui.visuals();
    let fill = visuals.faint_bg_color;
    let stroke = Stroke::new(1.5, visuals.widgets.noninteractive.fg_stroke.color);
    let accent = visuals.selection.bg_fill;
    let text_color = visuals.text_color();
    let weak = visuals.weak_text_color();

    let mut rects: Vec<Option<Rect>> = vec![None; hops.len()];
    for (ci, column) in columns.iter().enumerate() {
        let col_h = column.len() as f32 * (BOX_H + GAP_Y) - GAP_Y;
        let top = rect.top() + (height - col_h) / 2.0;
        for (ri, &h) in column.iter().enumerate() {
            let min = Pos2::new(
                rect.left() + ci as f32 * (box_w + GAP_X),
                top + ri as f32 * (BOX_H + GAP_Y),
            );
            if let Some(slot) = rects.get_mut(h) {
                *slot = Some(Rect::from_min_size(min, Vec2::new(box_w, BOX_H)));
            }
        }
    }
    let mut tips = Vec::new();
    for a in arrows {
        let (Some(Some(from)), Some(Some(to))) = (rects.get(a.from), rects.get(a.to)) else {
            continue;
        };
        let start = Pos2::new(from.right(), from.center().y);
        let end = Pos2::new(to.left(), to.center().y);
        painter.line_segment([start, end], Stroke::new(2.0, accent));
        let dir = (end - start).normalized();
        let normal = Vec2::new(-dir.y, dir.x);
        let back = end - dir * 9.0;
        painter.add(egui::Shape::convex_polygon(
            vec![end, back + normal * 5.0, back - normal * 5.0],
            accent,
            Stroke::NONE,
        ));
        if !a.label.is_empty() {
            // The label sits in the gap above the arrow, wrapped to the gap's width.
            let galley = painter.layout(
                a.label.clone(),
                FontId::proportional(10.5),
                weak,
                GAP_X - 6.0,
            );
            let mid = start + (end - start) * 0.5;
            let pos = Pos2::new(mid.x - galley.size().x / 2.0, mid.y - galley.size().y - 3.0);
            tips.push((Rect::from_min_size(pos, galley.size()), a.label.clone()));
            painter.galley(pos, galley, weak);
        }
    }
    for (h, r) in hops.iter().zip(&rects) {
        let Some(r) = r else { continue };
        painter.rect(*r, 6.0, fill, stroke, egui::StrokeKind::Inside);
        let galley = painter.layout(
            h.label.clone(),
            FontId::proportional(13.0),
            text_color,
            box_w - 10.0,
        );
        let label_h = galley.size().y.min(BOX_H - 18.0);
        let pos = Pos2::new(
            r.center().x - galley.size().x / 2.0,
            r.top() + (BOX_H - 14.0 - label_h) / 2.0,
        );
        painter.galley(pos, galley, text_color);
        painter.text(
            Pos2::new(r.center().x, r.bottom() - 9.0),
            Align2::CENTER_CENTER,
            &h.note,
            FontId::proportional(10.5),
            weak,
        );
        tips.push((*r, format!("{} ({})", h.label, h.note)));
    }
    if let Some(pos) = response.hover_pos()
        && let Some((_, text)) = tips.iter().find(|(r, _)| r.contains(pos))
    {
        response.on_hover_text_at_pointer(text.clone());
    }
}
