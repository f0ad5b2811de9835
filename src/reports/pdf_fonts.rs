//! Approximate glyph widths of the base-14 fonts used in PDF reports (WinAnsi bytes),
//! in thousandths of an em. Taken from the published Helvetica metrics for ASCII;
//! the upper half is approximated from similar letters.

/// The fonts a PDF report uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Font {
    Regular,
    Bold,
    Mono,
}

impl Font {
    /// The resource name in the page's font dictionary.
    pub fn resource(self) -> &'static [u8] {
        match self {
            Font::Regular => b"F1",
            Font::Bold => b"F2",
            Font::Mono => b"F3",
        }
    }

    /// The base-14 font name.
    pub fn base_name(self) -> &'static [u8] {
        match self {
            Font::Regular => b"Helvetica",
            Font::Bold => b"Helvetica-Bold",
            Font::Mono => b"Courier",
        }
    }
}

// Widths of bytes 32..=126.
const HELVETICA: [u16; 95] = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278,
    278, // space../
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, // 0-9
    278, 278, 584, 584, 584, 556, 1015, // : ; < = > ? @
    667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778, 667, 778, 722, 667,
    611, 722, 667, 944, 667, 667, 611, // A-Z
    278, 278, 278, 469, 556, 333, // [ \ ] ^ _ `
    556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, 556, 556, 333, 500,
    278, 556, 500, 722, 500, 500, 500, // a-z
    334, 260, 334, 584, // { | } ~
];

const HELVETICA_BOLD: [u16; 95] = [
    278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278,
    278, // space../
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, // 0-9
    333, 333, 584, 584, 584, 611, 975, // : ; < = > ? @
    722, 722, 722, 722, 667, 611, 778, 722, 278, 556, 722, 611, 833, 722, 778, 667, 778, 722, 667,
    611, 722, 667, 944, 667, 667, 611, // A-Z
    333, 278, 333, 584, 556, 333, // [ \ ] ^ _ `
    556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556, 278, 889, 611, 611, 611, 611, 389, 556,
    333, 611, 556, 778, 556, 556, 500, // a-z
    389, 280, 389, 584, // { | } ~
];

/// Width of one WinAnsi byte in thousandths of an em.
pub fn glyph_width(font: Font, byte: u8) -> u16 {
    if font == Font::Mono {
        return 600;
    }
    let table = if font == Font::Bold {
        &HELVETICA_BOLD
    } else {
        &HELVETICA
    };
    match byte {
        32..=126 => table[(byte - 32) as usize],
        0x85 | 0x97 | 0x89 => 1000,
        0x95 => 350,
        0x80 | 0x96 => 556,
        0x91..=0x94 | 0x82 | 0x84 => 333,
        0xa0 => 278,
        // Upper-case accented letters are about as wide as their base letters.
        0xc0..=0xde => 722,
        0xdf..=0xff => 556,
        _ => 556,
    }
}

/// Width of WinAnsi text in points.
pub fn text_width(font: Font, size: f32, text: &[u8]) -> f32 {
    text.iter()
        .map(|&b| f32::from(glyph_width(font, b)))
        .sum::<f32>()
        * size
        / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_widths() {
        assert_eq!(glyph_width(Font::Regular, b'W'), 944);
        assert_eq!(glyph_width(Font::Bold, b'i'), 278);
        assert_eq!(glyph_width(Font::Regular, b'~'), 584);
        assert_eq!(glyph_width(Font::Mono, b'x'), 600);
        assert!((text_width(Font::Regular, 10.0, b"Hello") - 22.78).abs() < 0.01);
    }
}
