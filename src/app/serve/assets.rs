//! The live page's static files, embedded in the binary: the HTML, its
//! script, its style sheet, an icon and the DejaVu Sans fonts. A request
//! is answered only when its target is exactly one of these names; nothing
//! is ever read from disk.

/// One embedded file.
pub struct Asset {
    /// Request path.
    pub path: &'static str,
    /// Content-Type.
    pub content_type: &'static str,
    /// Bytes.
    pub body: &'static [u8],
}

/// Every file the page is made of.
pub const ASSETS: &[Asset] = &[
    Asset {
        path: "/",
        content_type: "text/html; charset=utf-8",
        body: include_bytes!("../../../assets/page/index.html"),
    },
    Asset {
        path: "/app.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_bytes!("../../../assets/page/app.js"),
    },
    Asset {
        path: "/app.css",
        content_type: "text/css; charset=utf-8",
        body: include_bytes!("../../../assets/page/app.css"),
    },
    Asset {
        path: "/favicon.svg",
        content_type: "image/svg+xml",
        body: include_bytes!("../../../assets/page/favicon.svg"),
    },
    Asset {
        path: "/fonts/DejaVuSans.ttf",
        content_type: "font/ttf",
        body: include_bytes!("../../../assets/fonts/DejaVuSans.ttf"),
    },
    Asset {
        path: "/fonts/DejaVuSans-Bold.ttf",
        content_type: "font/ttf",
        body: include_bytes!("../../../assets/fonts/DejaVuSans-Bold.ttf"),
    },
];

/// The embedded file served at exactly `path` (`/index.html` is `/`).
pub fn get(path: &str) -> Option<&'static Asset> {
    let path = if path == "/index.html" { "/" } else { path };
    ASSETS.iter().find(|a| a.path == path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_exact_names_are_found() {
        assert!(get("/").is_some());
        assert!(get("/index.html").is_some());
        assert!(get("/app.js").is_some());
        for bad in [
            "/../Cargo.toml",
            "/%2e%2e/Cargo.toml",
            "/fonts/../app.js",
            "/fonts/",
            "//app.js",
            "/app.js/",
            "",
        ] {
            assert!(get(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn the_page_needs_no_internet() {
        for a in ASSETS
            .iter()
            .filter(|a| !a.content_type.starts_with("font"))
        {
            let text = std::str::from_utf8(a.body).unwrap();
            for needle in ["http://", "https://", "//cdn", "@import"] {
                // The SVG namespace is a name, not a fetch.
                let hits = text
                    .match_indices(needle)
                    .filter(|(i, _)| !text[*i..].starts_with("http://www.w3.org/2000/svg"))
                    .count();
                assert_eq!(hits, 0, "{} mentions {needle}", a.path);
            }
        }
    }
}
