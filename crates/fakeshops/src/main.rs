//! `fakeshops <kind>`: runs one fake shop as a process (for the interop suite, where an
//! official client library talks to it), printing its base URL on the first line.

fn main() {}
