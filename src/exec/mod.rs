//! Running a program with secrets: which secrets and what environment
//! (`environment`), then either replacing this process with the program
//! (`launch`) or, when its output must be masked (`streams` decides), running
//! it as a supervised child (`supervise`) whose output passes through the
//! masker (`mask`).

pub mod environment;
pub mod launch;
pub mod mask;
pub mod streams;
pub mod supervise;
