//! Background work: the app's tokio runtime and the channel results come back on.
//!
//! A task runs on the runtime, sends an [`Event`] when it has something, and asks egui to repaint,
//! so the UI thread only drains the channel with `try_recv` and never waits.

use crate::checks::{CheckResult, Progress};
use crate::plan::Plan;
use std::future::Future;
use std::path::PathBuf;
use tokio::sync::mpsc;

/// What a file dialog was opened for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FilePurpose {
    OpenPlan,
    SavePlanAs,
    /// Save the plan, then close the window.
    SavePlanAsThenClose,
    CaFile,
    ExportReport(ReportFormat),
}

/// Formats the report can be exported in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReportFormat {
    Pdf,
    Html,
    Markdown,
    Json,
    Csv,
}

impl ReportFormat {
    pub const ALL: [ReportFormat; 5] = [
        ReportFormat::Pdf,
        ReportFormat::Html,
        ReportFormat::Markdown,
        ReportFormat::Json,
        ReportFormat::Csv,
    ];

    pub fn label(self) -> &'static str {
        match self {
            ReportFormat::Pdf => "PDF",
            ReportFormat::Html => "HTML",
            ReportFormat::Markdown => "Markdown",
            ReportFormat::Json => "JSON",
            ReportFormat::Csv => "CSV",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            ReportFormat::Pdf => "pdf",
            ReportFormat::Html => "html",
            ReportFormat::Markdown => "md",
            ReportFormat::Json => "json",
            ReportFormat::Csv => "csv",
        }
    }
}

/// A result of background work, delivered to the UI thread.
#[derive(Debug)]
#[allow(clippy::large_enum_variant)] // events are moved once, from a task to the UI thread
pub enum Event {
    /// Progress of the check run `run`.
    CheckProgress { run: u64, progress: Progress },
    /// One check of run `run` ended; `None` when it was cancelled and did not report in time.
    CheckEnded {
        run: u64,
        index: usize,
        result: Option<Box<CheckResult>>,
    },
    /// Every check of run `run` has ended.
    ChecksDone { run: u64 },
    /// Progress of the diagnosis run `run`.
    DiagnoseProgress {
        run: u64,
        progress: crate::diagnose::DiagnoseProgress,
    },
    /// The diagnosis of run `run` ended (or failed with a message).
    DiagnoseDone {
        run: u64,
        outcome: Result<Box<crate::diagnose::Diagnosis>, String>,
    },
    /// A file dialog closed; `None` when the user cancelled it.
    FileChosen {
        purpose: FilePurpose,
        path: Option<PathBuf>,
    },
    /// A plan file was read.
    PlanOpened {
        path: PathBuf,
        /// The plan, and a warning about fields it had that no plan has.
        outcome: Result<(Plan, Option<String>), String>,
    },
    /// A plan file was written.
    PlanSaved {
        path: PathBuf,
        plan: Box<Plan>,
        outcome: Result<(), String>,
        then_close: bool,
    },
    /// A report was written.
    ReportExported {
        path: PathBuf,
        outcome: Result<(), String>,
    },
}

/// The runtime plus both ends of the event channel.
pub struct Background {
    runtime: tokio::runtime::Runtime,
    tx: mpsc::UnboundedSender<Event>,
    rx: mpsc::UnboundedReceiver<Event>,
    ctx: egui::Context,
}

impl Background {
    /// Starts a small runtime; the UI is repainted through `ctx` whenever an event is sent.
    pub fn new(ctx: egui::Context) -> std::io::Result<Background> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("mailplan-work")
            .enable_all()
            .build()?;
        let (tx, rx) = mpsc::unbounded_channel();
        Ok(Background {
            runtime,
            tx,
            rx,
            ctx,
        })
    }

    /// A sender that also wakes the UI.
    pub fn sender(&self) -> EventSender {
        EventSender {
            tx: self.tx.clone(),
            ctx: self.ctx.clone(),
        }
    }

    /// Runs `work` on the runtime; its event is delivered when it finishes.
    pub fn spawn<F>(&self, work: F)
    where
        F: Future<Output = Event> + Send + 'static,
    {
        let sender = self.sender();
        self.runtime.spawn(async move {
            let event = work.await;
            sender.send(event);
        });
    }

    /// Runs a task that sends its own events.
    pub fn spawn_with<F, Fut>(&self, work: F)
    where
        F: FnOnce(EventSender) -> Fut,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let fut = work(self.sender());
        self.runtime.spawn(fut);
    }

    /// The next waiting event, without blocking.
    pub fn try_recv(&mut self) -> Option<Event> {
        self.rx.try_recv().ok()
    }

    /// A handle to spawn onto the runtime from elsewhere.
    pub fn handle(&self) -> tokio::runtime::Handle {
        self.runtime.handle().clone()
    }
}

/// Sends events to the UI thread and wakes it.
#[derive(Clone)]
pub struct EventSender {
    tx: mpsc::UnboundedSender<Event>,
    ctx: egui::Context,
}

impl EventSender {
    pub fn send(&self, event: Event) {
        // The receiver is gone only while the app shuts down; nothing is waiting for the event then.
        let _ = self.tx.send(event);
        self.ctx.request_repaint();
    }
}

/// Shows a native file dialog on the runtime and reports the chosen path.
pub fn choose_file(background: &Background, purpose: FilePurpose, suggested_name: Option<String>) {
    background.spawn(async move {
        let mut dialog = rfd::AsyncFileDialog::new();
        dialog = match purpose {
            FilePurpose::OpenPlan | FilePurpose::SavePlanAs | FilePurpose::SavePlanAsThenClose => {
                dialog.add_filter("mailplan plan (RON)", &["ron"])
            }
            FilePurpose::CaFile => dialog.add_filter("PEM certificates", &["pem", "crt", "cer"]),
            FilePurpose::ExportReport(f) => dialog.add_filter(f.label(), &[f.extension()]),
        };
        if let Some(name) = suggested_name {
            dialog = dialog.set_file_name(name);
        }
        let handle = match purpose {
            FilePurpose::OpenPlan | FilePurpose::CaFile => dialog.pick_file().await,
            FilePurpose::SavePlanAs
            | FilePurpose::SavePlanAsThenClose
            | FilePurpose::ExportReport(_) => dialog.save_file().await,
        };
        Event::FileChosen {
            purpose,
            path: handle.map(|h| h.path().to_path_buf()),
        }
    });
}
