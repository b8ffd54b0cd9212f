// Told once after an update: rules saved before reach only their own site's requests now, and some regexes wait
// for a confirmation they did not need before.
import { useEffect, useState } from 'preact/hooks';
import { type RulesUpdateNotice, rulesUpdateNoticeItem } from '../../core/storage-items';

export function RulesUpdateNoticeLine() {
  const [notice, setNotice] = useState<RulesUpdateNotice | null>(null);
  useEffect(() => {
    void rulesUpdateNoticeItem.getValue().then(setNotice);
    return rulesUpdateNoticeItem.watch(setNotice);
  }, []);
  if (notice === null) return null;
  const plural = (count: number) => (count === 1 ? 'rule' : 'rules');
  return (
    <div class="notice notice-info rules-update" role="status">
      {notice.ownSite > 0 && (
        <p>
          Since this update, {notice.ownSite} {plural(notice.ownSite)} without <em>Only pages on</em> send the
          token only on requests from their own site and on addresses you open yourself (typed, bookmarked, a
          link you follow) — no more on what other sites send. Edit a rule and choose <em>Any page</em> to
          widen it again.
        </p>
      )}
      {notice.unconfirmed > 0 && (
        <p>
          {notice.unconfirmed} {plural(notice.unconfirmed)} with a regular expression that can reach another
          host or port stopped until you confirm {notice.unconfirmed === 1 ? 'it' : 'them'} in <em>Edit</em>.
        </p>
      )}
      <button type="button" class="small ghost" onClick={() => void rulesUpdateNoticeItem.setValue(null)}>
        Got it
      </button>
    </div>
  );
}
