//! How times read in the app, the same everywhere: "5 minutes ago" (beyond a
//! month, the date), with the exact time in the agent's own time zone on hover
//! (`3 May 2026 at 16:05 CEST`) and the machine-readable UTC time in
//! `<time datetime>`. [`Timestamp`] is the one component that shows a moment;
//! [`local_time`] and [`local_date`] are its words for labels and headers.

use leptos::prelude::*;
use wasm_bindgen::JsValue;

/// A moment as people read it ("5 minutes ago"), the exact local time on hover, and
/// the machine-readable one in `<time datetime>`.
#[component]
pub fn Timestamp(#[prop(into)] at: String, #[prop(optional, into)] class: Option<&'static str>) -> impl IntoView {
    view! { <time class=class datetime=at.clone() title=local_time(&at)>{ago(&at)}</time> }
}

/// `Intl.DateTimeFormat` options as a JS object.
fn options(pairs: &[(&str, &str)]) -> JsValue {
    let o = js_sys::Object::new();
    for (k, v) in pairs {
        let _ = js_sys::Reflect::set(&o, &JsValue::from_str(k), &JsValue::from_str(v));
    }
    o.into()
}

/// The date of an RFC 3339 time, `None` when it does not parse.
fn date_of(rfc3339: &str) -> Option<js_sys::Date> {
    let ms = js_sys::Date::parse(rfc3339);
    (!ms.is_nan()).then(|| js_sys::Date::new(&JsValue::from_f64(ms)))
}

/// The locale dates are written in (English words, the browser's time zone).
const LOCALE: &str = "en-GB";

/// `2026-05-03T14:05:12Z` as `3 May 2026 at 16:05 CEST` in the browser's time zone.
pub fn local_time(rfc3339: &str) -> String {
    let opts = options(&[
        ("day", "numeric"),
        ("month", "long"),
        ("year", "numeric"),
        ("hour", "2-digit"),
        ("minute", "2-digit"),
        ("timeZoneName", "short"),
    ]);
    match date_of(rfc3339) {
        Some(d) => d.to_locale_string(LOCALE, &opts).into(),
        None => long_time(rfc3339),
    }
}

/// `2026-05-03T23:05:12Z` as `4 May 2026` when the browser is two hours east of UTC.
pub fn local_date(rfc3339: &str) -> String {
    let opts = options(&[("day", "numeric"), ("month", "long"), ("year", "numeric")]);
    match date_of(rfc3339) {
        Some(d) => d.to_locale_date_string(LOCALE, &opts).into(),
        None => long_date(rfc3339),
    }
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// `2026-05-03T10:11:12Z` as `3 May 2026` (UTC; when the browser cannot read the time).
fn long_date(rfc3339: &str) -> String {
    let parts = (rfc3339.get(0..4), rfc3339.get(5..7).and_then(|m| m.parse::<usize>().ok()), rfc3339.get(8..10));
    match parts {
        (Some(y), Some(m @ 1..=12), Some(d)) => {
            format!("{} {} {y}", d.trim_start_matches('0'), MONTHS[m - 1])
        }
        _ => rfc3339.to_string(),
    }
}

/// `2026-05-03T14:05:12Z` as `3 May 2026, 14:05 UTC` (when the browser cannot read the time).
fn long_time(rfc3339: &str) -> String {
    match rfc3339.get(11..16) {
        Some(t) => format!("{}, {t} UTC", long_date(rfc3339)),
        None => long_date(rfc3339),
    }
}

/// How long ago `then_ms` was at `now_ms`: "just now", "5 minutes ago", "yesterday", "3 days ago",
/// and beyond a month `date` (the day it was).
pub fn relative_time(then_ms: f64, now_ms: f64, date: &str) -> String {
    let seconds = ((now_ms - then_ms) / 1000.0).max(0.0) as i64;
    let plural = |n: i64, unit: &str| if n == 1 { format!("1 {unit} ago") } else { format!("{n} {unit}s ago") };
    match seconds {
        0..=59 => "just now".into(),
        60..=3599 => plural(seconds / 60, "minute"),
        3600..=86_399 => plural(seconds / 3600, "hour"),
        86_400..=172_799 => "yesterday".into(),
        172_800..=2_591_999 => plural(seconds / 86_400, "day"),
        _ => date.to_string(),
    }
}

/// [`relative_time`] for an RFC 3339 time, now.
pub fn ago(rfc3339: &str) -> String {
    let then = js_sys::Date::parse(rfc3339);
    if then.is_nan() {
        return long_time(rfc3339);
    }
    relative_time(then, js_sys::Date::now(), &local_date(rfc3339))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_read_as_people_write_them() {
        assert_eq!(long_date("2026-05-03T10:11:12.123Z"), "3 May 2026");
        assert_eq!(long_date("2026-12-25T00:00:00Z"), "25 December 2026");
        assert_eq!(long_time("2026-05-03T14:05:12Z"), "3 May 2026, 14:05 UTC");
        assert_eq!(long_date("nonsense"), "nonsense");
    }

    #[test]
    fn relative_times_round_down() {
        let t = "3 May 2026";
        let now = 1_000_000_000.0;
        assert_eq!(relative_time(now - 10_000.0, now, t), "just now");
        assert_eq!(relative_time(now - 60_000.0, now, t), "1 minute ago");
        assert_eq!(relative_time(now - 150_000.0, now, t), "2 minutes ago");
        assert_eq!(relative_time(now - 7_200_000.0, now, t), "2 hours ago");
        assert_eq!(relative_time(now - 90_000_000.0, now, t), "yesterday");
        assert_eq!(relative_time(now - 3.0 * 86_400_000.0, now, t), "3 days ago");
        assert_eq!(relative_time(now - 40.0 * 86_400_000.0, now, t), "3 May 2026");
    }
}
