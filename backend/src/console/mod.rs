//! The agent console, a Yew app built into `dist/agent-console` (beside the widget's
//! `dist/widget`) and served from disk at `/console/`: see [`assets`].

pub mod assets;
