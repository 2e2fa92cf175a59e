//! The lab kept in the browser (localStorage) across reloads: the world as its
//! versioned snapshot in compact form ([`World::to_compact`]). A saved lab that cannot be read is never overwritten
//! silently: the page says why and lets the learner choose.

use mail_lab_world::World;

/// Where the world is kept.
pub const KEY: &str = "mail-lab.world";

/// The saved world: `Ok(None)` when nothing is saved, `Err` with the reason
/// when something is saved but cannot be read.
pub fn load() -> Result<Option<World>, String> {
    #[cfg(target_arch = "wasm32")]
    {
        use gloo::storage::{LocalStorage, Storage};
        let Ok(text) = LocalStorage::raw().get_item(KEY) else { return Ok(None) };
        match text {
            None => Ok(None),
            Some(text) => World::from_compact(&text).map(Some).map_err(|e| e.to_string()),
        }
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        Ok(None)
    }
}

/// Keep the world. Returns the reason when the browser refuses (quota, privacy mode).
pub fn save(world: &World) -> Result<(), String> {
    #[cfg(target_arch = "wasm32")]
    {
        use gloo::storage::{LocalStorage, Storage};
        LocalStorage::raw()
            .set_item(KEY, &world.to_compact())
            .map_err(|_| "the browser refused to store the lab".to_string())
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let _ = world;
        Ok(())
    }
}

/// Save the lab if it changed since the last save, unless the saved one could
/// not be read (then nothing is written over it until the learner chooses).
pub fn save_lab(lab: &mut crate::state::Lab) {
    if lab.unsaved && lab.storage_problem.is_none() {
        // A refused save (quota, privacy mode) leaves the lab working in memory.
        let _ = save(&lab.world.borrow());
        save_progress(&lab.progress);
    }
    lab.unsaved = false;
}

/// Where the learner's lesson progress is kept (apart from the world, so a
/// reset of the world keeps the lessons done).
pub const PROGRESS_KEY: &str = "mail-lab.progress";

/// The saved progress, if any.
pub fn load_progress() -> Option<crate::lessons::Progress> {
    #[cfg(target_arch = "wasm32")]
    {
        use gloo::storage::{LocalStorage, Storage};
        let line = LocalStorage::raw().get_item(PROGRESS_KEY).ok()??;
        Some(crate::lessons::Progress::from_line(&line))
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        None
    }
}

/// Keep the progress; a refusal (quota, privacy mode) only costs persistence.
pub fn save_progress(progress: &crate::lessons::Progress) {
    #[cfg(target_arch = "wasm32")]
    {
        use gloo::storage::{LocalStorage, Storage};
        let _ = LocalStorage::raw().set_item(PROGRESS_KEY, &progress.to_line());
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let _ = progress;
    }
}

/// Where the lab set aside by a lesson's own world is kept.
pub const ASIDE_KEY: &str = "mail-lab.aside";

/// The lab set aside: `scenario lesson` on the first line (lesson `-` for
/// none), then the world in compact form. One that cannot be read is dropped.
pub fn load_aside() -> Option<crate::state::Aside> {
    #[cfg(target_arch = "wasm32")]
    {
        use gloo::storage::{LocalStorage, Storage};
        let text = LocalStorage::raw().get_item(ASIDE_KEY).ok()??;
        let (head, body) = text.split_once('\n')?;
        let (scenario, lesson) = head.split_once(' ')?;
        let world = World::from_compact(body).ok()?;
        let world = std::rc::Rc::new(std::cell::RefCell::new(world));
        Some(crate::state::Aside { world, scenario: scenario.to_string(), lesson: lesson.parse().ok() })
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        None
    }
}

/// Keep the lab set aside, or forget it (`None`); a refusal only costs the way back after a reload.
pub fn save_aside(aside: Option<&crate::state::Aside>) {
    #[cfg(target_arch = "wasm32")]
    {
        use gloo::storage::{LocalStorage, Storage};
        let storage = LocalStorage::raw();
        let _ = match aside {
            Some(a) => {
                let lesson = a.lesson.map_or("-".to_string(), |l| l.to_string());
                let text = format!("{} {lesson}\n{}", a.scenario, a.world.borrow().to_compact());
                storage.set_item(ASIDE_KEY, &text)
            }
            None => storage.remove_item(ASIDE_KEY),
        };
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let _ = aside;
    }
}

/// Where the page's language is kept, once the learner has chosen one.
pub const LANG_KEY: &str = "mail-lab.lang";

/// The language saved by an earlier visit (its tag, `en` or `ja`).
pub fn load_lang() -> Option<String> {
    #[cfg(target_arch = "wasm32")]
    {
        use gloo::storage::{LocalStorage, Storage};
        LocalStorage::raw().get_item(LANG_KEY).ok()?
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        None
    }
}

/// Keep the language for the next visit; a refusal only costs that.
pub fn save_lang(tag: &str) {
    #[cfg(target_arch = "wasm32")]
    {
        use gloo::storage::{LocalStorage, Storage};
        let _ = LocalStorage::raw().set_item(LANG_KEY, tag);
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let _ = tag;
    }
}
