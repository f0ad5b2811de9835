//! The mail-flow diagram: hops drawn as boxes with arrows between them, with egui shapes.

use egui::{Align2, Color32, FontId, Pos2, Rect, Sense, Stroke, Ui, Vec2};

/// One box in the diagram.
#[derive(Debug, Clone, PartialEq)]
pub struct Hop {
    pub label: String,
    /// A second, smaller line (e.g. "on-premises").
    pub note: String,
}

/// An arrow from hop `from` to hop `to`, with an optional label.
#[derive(Debug, Clone, PartialEq)]
pub struct Arrow {
    pub from: usize,
    pub to: usize,
    pub label: String,
}

/// Draws hops left to right in `columns` (each column a list of hop indices, top to bottom) and
/// the arrows between them.
pub fn diagram(ui: &mut Ui, hops: &[Hop], columns: &[Vec<usize>], arrows: &[Arrow]) {
    let box_size = Vec2::new(150.0, 46.0);
    let gap = Vec2::new(44.0, 18.0);
    let rows = columns.iter().map(|c| c.len()).max().unwrap_or(1).max(1);
    let width = columns.len() as f32 * (box_size.x + gap.x) - gap.x;
    let height = rows as f32 * (box_size.y + gap.y) - gap.y + 8.0;
    let (rect, _) =
        ui.allocate_exact_size(Vec2::new(width.max(10.0), height.max(10.0)), Sense::hover());
    let painter = ui.painter_at(rect.expand(4.0));
    let visuals = ui.visuals();
    let fill = visuals.faint_bg_color;
    let stroke = Stroke::new(1.5, visuals.widgets.noninteractive.fg_stroke.color);
    let accent = visuals.selection.bg_fill;
    let text_color = visuals.text_color();
    let weak = visuals.weak_text_color();

    let mut rects: Vec<Option<Rect>> = vec![None; hops.len()];
    for (ci, column) in columns.iter().enumerate() {
        let col_h = column.len() as f32 * (box_size.y + gap.y) - gap.y;
        let top = rect.top() + (height - col_h) / 2.0;
        for (ri, &h) in column.iter().enumerate() {
            let min = Pos2::new(
                rect.left() + ci as f32 * (box_size.x + gap.x),
                top + ri as f32 * (box_size.y + gap.y),
            );
            if let Some(slot) = rects.get_mut(h) {
                *slot = Some(Rect::from_min_size(min, box_size));
            }
        }
    }
    for a in arrows {
        let (Some(Some(from)), Some(Some(to))) = (rects.get(a.from), rects.get(a.to)) else {
            continue;
        };
        let start = Pos2::new(from.right(), from.center().y);
        let end = Pos2::new(to.left(), to.center().y);
        painter.line_segment([start, end], Stroke::new(2.0, accent));
        let dir = (end - start).normalized();
        let normal = Vec2::new(-dir.y, dir.x);
        let tip = end;
        let back = tip - dir * 9.0;
        painter.add(egui::Shape::convex_polygon(
            vec![tip, back + normal * 5.0, back - normal * 5.0],
            accent,
            Stroke::NONE,
        ));
        if !a.label.is_empty() {
            let mid = start + (end - start) * 0.5 - normal * 8.0;
            painter.text(
                mid,
                Align2::CENTER_BOTTOM,
                &a.label,
                FontId::proportional(11.0),
                weak,
            );
        }
    }
    for (h, r) in hops.iter().zip(&rects) {
        let Some(r) = r else { continue };
        painter.rect(*r, 6.0, fill, stroke, egui::StrokeKind::Inside);
        painter.text(
            r.center() - Vec2::new(0.0, 8.0),
            Align2::CENTER_CENTER,
            &h.label,
            FontId::proportional(13.5),
            text_color,
        );
        painter.text(
            r.center() + Vec2::new(0.0, 10.0),
            Align2::CENTER_CENTER,
            &h.note,
            FontId::proportional(11.0),
            weak,
        );
    }
    let _ = Color32::TRANSPARENT;
}
