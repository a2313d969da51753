//! `datetime` <-> `OffsetDateTime`. A naive datetime is refused (the core
//! never guesses a time zone); an aware one is converted to UTC exactly,
//! microseconds included.

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyDict;
use time::{Date, Duration, Month, OffsetDateTime, PrimitiveDateTime, Time};

/// An aware `datetime` as a UTC instant; `what` names the argument.
pub(crate) fn from_py(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<OffsetDateTime> {
    let py = obj.py();
    let dt_mod = py.import("datetime")?;
    if !obj.is_instance(&dt_mod.getattr("datetime")?)? {
        return Err(PyTypeError::new_err(format!(
            "{what}: expected a timezone-aware datetime.datetime, got {}",
            obj.get_type().name()?
        )));
    }
    if obj.call_method0("utcoffset")?.is_none() {
        return Err(PyValueError::new_err(format!(
            "{what}: naive datetime {}; give it a tzinfo (e.g. datetime.timezone.utc)",
            obj.str()?
        )));
    }
    let utc = dt_mod.getattr("timezone")?.getattr("utc")?;
    let u = obj.call_method1("astimezone", (utc,)).map_err(|e| {
        PyValueError::new_err(format!(
            "{what}: {} is out of range in UTC ({e})",
            obj.str().map(|s| s.to_string()).unwrap_or_default()
        ))
    })?;
    let get = |name: &str| -> PyResult<i64> { u.getattr(name)?.extract::<i64>() };
    let bad = |e: time::error::ComponentRange| PyValueError::new_err(format!("{what}: {e}"));
    let month = Month::try_from(get("month")? as u8).map_err(bad)?;
    let date = Date::from_calendar_date(get("year")? as i32, month, get("day")? as u8).map_err(bad)?;
    let tod = Time::from_hms_micro(
        get("hour")? as u8,
        get("minute")? as u8,
        get("second")? as u8,
        get("microsecond")? as u32,
    )
    .map_err(bad)?;
    Ok(PrimitiveDateTime::new(date, tod).assume_utc())
}

/// An optional aware datetime.
pub(crate) fn opt_from_py(obj: Option<&Bound<'_, PyAny>>, what: &str) -> PyResult<Option<OffsetDateTime>> {
    match obj {
        Some(o) if !o.is_none() => from_py(o, what).map(Some),
        _ => Ok(None),
    }
}

/// A UTC instant as an aware `datetime` in `timezone.utc`.
pub(crate) fn to_py(py: Python<'_>, t: OffsetDateTime) -> PyResult<Bound<'_, PyAny>> {
    let t = t.to_offset(time::UtcOffset::UTC);
    let dt_mod = py.import("datetime")?;
    let kwargs = PyDict::new(py);
    kwargs.set_item("tzinfo", dt_mod.getattr("timezone")?.getattr("utc")?)?;
    dt_mod.getattr("datetime")?.call(
        (t.year(), u8::from(t.month()), t.day(), t.hour(), t.minute(), t.second(), t.microsecond()),
        Some(&kwargs),
    )
}

/// An optional instant.
pub(crate) fn opt_to_py(py: Python<'_>, t: Option<OffsetDateTime>) -> PyResult<Option<Bound<'_, PyAny>>> {
    t.map(|t| to_py(py, t)).transpose()
}

/// A duration as a `datetime.timedelta`.
pub(crate) fn delta_to_py(py: Python<'_>, d: Duration) -> PyResult<Bound<'_, PyAny>> {
    let kwargs = PyDict::new(py);
    kwargs.set_item("seconds", d.whole_seconds())?;
    kwargs.set_item("microseconds", d.subsec_microseconds())?;
    py.import("datetime")?.getattr("timedelta")?.call((), Some(&kwargs))
}

/// RFC 3339 text of an instant, for reprs.
pub(crate) fn text(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339).unwrap_or_else(|_| t.to_string())
}
