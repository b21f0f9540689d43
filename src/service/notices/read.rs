//! Reading notices and materials: the lists (newest first), the detail page, the downloads, and the city
//! admin's management lists. Every read checks the reader's right again; nothing here trusts a link.
//!
//! Lists read the whole table and sort by publish time: a city office publishes a few hundred items a year,
//! so this stays far cheaper than keeping a second, time-ordered index consistent (search has its own index).

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde::de::IgnoredAny;

use super::{Download, ListRow, internal, require_publisher};
use crate::domain::account::Role;
use crate::domain::notice::{Audience, FileRef, Material, Notice, PageRequest, Paged, State};
use crate::service::{Actor, ServiceError, ServiceResult, Services};
use crate::store::{Reader, tables};

impl Services {
    /// 通知公告 as `actor` sees them: published, not withdrawn, addressed to them; newest first. A non-empty
    /// `query` searches instead (ranked by relevance, with highlighted snippets).
    pub fn list_notices(&self, actor: &Actor, query: &str, page: PageRequest) -> ServiceResult<Paged<ListRow>> {
        if !query.trim().is_empty() {
            return self.search_notices(actor, query, page);
        }
        Ok(readable_notices(&*self.headlines()?, actor, page, self.clock.now()))
    }

    /// 资料下载 as `actor` sees them: published and not withdrawn; newest first. A non-empty `query` searches.
    pub fn list_materials(&self, actor: &Actor, query: &str, page: PageRequest) -> ServiceResult<Paged<ListRow>> {
        if !query.trim().is_empty() {
            return self.search_materials(actor, query, page);
        }
        Ok(readable_materials(&*self.headlines()?, actor, page, self.clock.now()))
    }

    /// The home page's 通知公告 and 资料下载 boxes (the first `page` of each list), from one snapshot.
    pub fn home_lists(&self, actor: &Actor, page: PageRequest) -> ServiceResult<(ListResult, ListResult)> {
        let headlines = self.headlines()?;
        let now = self.clock.now();
        Ok((Ok(readable_notices(&headlines, actor, page, now)), Ok(readable_materials(&headlines, actor, page, now))))
    }

    /// Every notice's and material's heading as of the latest write (see [`Headlines`]).
    fn headlines(&self) -> ServiceResult<std::sync::Arc<Headlines>> {
        // Only a write to the notices or materials changes them: a saved draft keeps the held headings.
        let keep_if_unchanged = |_: &Headlines, changes: &crate::store::Changes, _: &crate::store::ReadTx| {
            Ok(crate::store::Patch::unless_written(changes, &[tables::NOTICES, tables::MATERIALS]))
        };
        self.headline_cache.get_patched(
            &self.store,
            |read| {
                let mut keep = |_: &NoticeHead| true;
                let mut notices = read.range(tables::NOTICES, false, usize::MAX, &mut keep)?;
                newest_first(&mut notices, |notice| (notice.publish_at, notice.id));
                let mut materials: Vec<Material> = read.all::<Material>()?;
                newest_first(&mut materials, |material| (material.publish_at, material.id));
                Ok(Headlines { notices, materials })
            },
            keep_if_unchanged,
        )
    }

    /// One notice. Readers get it only while it is published and addressed to them; the city admin (its
    /// publisher) may also open scheduled and withdrawn ones.
    pub fn get_notice(&self, actor: &Actor, id: u64) -> ServiceResult<Notice> {
        let notice: Notice = self.store.read()?.get(id)?.ok_or(ServiceError::NotFound("通知公告不存在"))?;
        if notice.readable_by(actor.role, self.clock.now()) || actor.is(Role::CityAdmin) {
            Ok(notice)
        } else {
            Err(ServiceError::NotFound("通知公告不存在"))
        }
    }

    /// One material, on the same terms as [`Self::get_notice`].
    pub fn get_material(&self, actor: &Actor, id: u64) -> ServiceResult<Material> {
        let material: Material = self.store.read()?.get(id)?.ok_or(ServiceError::NotFound("资料不存在"))?;
        if material.readable_by(actor.role, self.clock.now()) || actor.is(Role::CityAdmin) {
            Ok(material)
        } else {
            Err(ServiceError::NotFound("资料不存在"))
        }
    }

    /// Attachment `index` (from 0) of notice `id`, checked against the reader's right on every request.
    pub fn notice_attachment(&self, actor: &Actor, id: u64, index: usize) -> ServiceResult<Download> {
        let notice = self.get_notice(actor, id)?;
        let file = notice.attachments.get(index).cloned().ok_or(ServiceError::NotFound("附件不存在"))?;
        self.download_of(file)
    }

    /// The file of material `id`, checked against the reader's right on every request.
    pub fn material_download(&self, actor: &Actor, id: u64) -> ServiceResult<Download> {
        let material = self.get_material(actor, id)?;
        self.download_of(material.file)
    }

    /// Every notice, scheduled and withdrawn included, for the city admin's management page; newest first.
    pub fn manage_notices(&self, actor: &Actor, page: PageRequest) -> ServiceResult<Paged<Notice>> {
        require_publisher(actor)?;
        let mut notices = self.store.read()?.all::<Notice>()?;
        newest_first(&mut notices, |notice| (notice.publish_at, notice.id));
        Ok(Paged::cut(notices, page))
    }

    /// Every material, scheduled and withdrawn included, for the city admin; newest first.
    pub fn manage_materials(&self, actor: &Actor, page: PageRequest) -> ServiceResult<Paged<Material>> {
        require_publisher(actor)?;
        let mut materials = self.store.read()?.all::<Material>()?;
        newest_first(&mut materials, |material| (material.publish_at, material.id));
        Ok(Paged::cut(materials, page))
    }

    fn download_of(&self, file: FileRef) -> ServiceResult<Download> {
        let path = self.blobs.path_of(&file.sha256).ok_or_else(|| internal("stored file address is invalid"))?;
        if !path.is_file() {
            tracing::error!(sha256 = %file.sha256, "a published file is missing from the blob store");
            return Err(ServiceError::NotFound("文件不存在"));
        }
        Ok(Download { path, file })
    }
}

/// One list of the home page, which shows a failed list as such and the other one still.
pub type ListResult = ServiceResult<Paged<ListRow>>;

/// The headings of every notice and material, newest first, as of one snapshot: the lists and the home page's
/// boxes filter them by reader and by the time of the request, so scheduled items appear at their minute
/// without a write. Kept in memory until a write touches them (`Services::headline_cache`): every 首页 shows
/// them, and decoding the stored notices, bodies and all, on each view cost more than the rest of the page.
#[derive(Default)]
pub struct Headlines {
    notices: Vec<NoticeHead>,
    materials: Vec<Material>,
}

/// The fields of a stored notice a list row needs: the body is skipped on decoding and the attachments are only
/// counted.
#[derive(Deserialize)]
struct NoticeHead {
    id: u64,
    title: String,
    #[serde(default, rename = "attachments", deserialize_with = "count_items")]
    attachment_count: usize,
    publish_at: DateTime<Utc>,
    #[serde(default)]
    audience: Audience,
    #[serde(default)]
    withdrawn_at: Option<DateTime<Utc>>,
}

fn count_items<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<usize, D::Error> {
    Ok(<Vec<IgnoredAny> as Deserialize>::deserialize(deserializer)?.len())
}

/// 通知公告 as `actor` sees them (see [`Notice::readable_by`]), newest first.
fn readable_notices(headlines: &Headlines, actor: &Actor, page: PageRequest, now: DateTime<Utc>) -> Paged<ListRow> {
    let readable = headlines.notices.iter().filter(|notice| {
        State::of(notice.publish_at, notice.withdrawn_at, now) == State::Published && notice.audience.admits(actor.role)
    });
    cut(readable, page, |notice| ListRow {
        id: notice.id,
        title: notice.title.clone(),
        publish_at: notice.publish_at,
        title_html: None,
        snippet_html: None,
        attachments: notice.attachment_count,
        file: None,
    })
}

/// 资料下载 as `actor` sees them (see [`Material::readable_by`]), newest first.
fn readable_materials(headlines: &Headlines, actor: &Actor, page: PageRequest, now: DateTime<Utc>) -> Paged<ListRow> {
    let readable = headlines.materials.iter().filter(|material| material.readable_by(actor.role, now));
    cut(readable, page, |material| material_row(material.clone()))
}

/// One page of `items`, converting only the rows on it.
fn cut<'a, T: 'a>(
    items: impl Iterator<Item = &'a T>,
    page: PageRequest,
    row: impl Fn(&T) -> ListRow,
) -> Paged<ListRow> {
    let items: Vec<&T> = items.collect();
    Paged::cut(items, page).map(row)
}

/// Sorts by publish time, newest first; ties (same minute) by id, newest first.
fn newest_first<T, K: Ord>(items: &mut [T], key: impl Fn(&T) -> K) {
    items.sort_by_key(|item| std::cmp::Reverse(key(item)));
}

pub(super) fn notice_row(notice: Notice) -> ListRow {
    ListRow {
        id: notice.id,
        title: notice.title,
        publish_at: notice.publish_at,
        title_html: None,
        snippet_html: None,
        attachments: notice.attachments.len(),
        file: None,
    }
}

pub(super) fn material_row(material: Material) -> ListRow {
    ListRow {
        id: material.id,
        title: material.name,
        publish_at: material.publish_at,
        title_html: None,
        snippet_html: None,
        attachments: 1,
        file: Some(material.file),
    }
}
