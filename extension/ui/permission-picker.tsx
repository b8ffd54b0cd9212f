// Permission checkboxes built from the server's catalogue: general categories, and repository rows by name.
import { holdsPermission } from '../../shared/permissions';
import type { PermissionCatalogue } from '../../shared/schemas/permissions';
import type { RepositoryGrant } from '../core/model';

export interface PermissionPickerProps {
  catalogue: PermissionCatalogue;
  /** What the signed-in user holds: a token cannot get more, so other boxes are disabled. */
  held: string[];
  /** Repository names the server listed (those the user may read); any other name can still be typed. */
  knownRepositories: string[];
  general: string[];
  repositories: RepositoryGrant[];
  onGeneral: (general: string[]) => void;
  onRepositories: (repositories: RepositoryGrant[]) => void;
}

function toggled(list: string[], item: string, on: boolean): string[] {
  return on ? [...new Set([...list, item])] : list.filter((x) => x !== item);
}

export function PermissionPicker(props: PermissionPickerProps) {
  const { catalogue, held, general, repositories } = props;
  const generalCategories = catalogue.categories.filter((c) => c.itemType === null);
  const repositoryCategory = catalogue.categories.find((c) => c.itemType === 'repository');
  const updateRow = (index: number, row: RepositoryGrant) =>
    props.onRepositories(repositories.map((r, i) => (i === index ? row : r)));
  return (
    <div class="picker">
      {generalCategories.map((category) => (
        <fieldset key={category.name} class="picker-row">
          <legend>{category.label}</legend>
          <div class="levels">
            {category.levels.map((level) => {
              const lacking = !holdsPermission(held, level.permission);
              return (
                <label
                  key={level.permission}
                  class={`check${lacking ? ' lacking' : ''}`}
                  title={lacking ? 'You do not hold this permission' : level.permission}
                >
                  <input
                    type="checkbox"
                    aria-label={`${category.label} ${level.label}`}
                    checked={general.includes(level.permission)}
                    disabled={lacking && !general.includes(level.permission)}
                    onChange={(event) =>
                      props.onGeneral(toggled(general, level.permission, event.currentTarget.checked))
                    }
                  />
                  {level.label}
                </label>
              );
            })}
          </div>
        </fieldset>
      ))}
      {repositoryCategory &&
        repositories.map((row, index) => {
          const n = index + 1;
          const name = row.name.trim() || '*';
          return (
            <fieldset key={index} class="picker-row repository">
              <legend>{repositoryCategory.label}</legend>
              <div class="levels">
                <span class="repo-name-row">
                  <input
                    class="repo-name"
                    aria-label={`Repository ${n} name`}
                    list="repository-names"
                    placeholder="* = all"
                    value={row.name}
                    maxLength={128}
                    onInput={(event) => updateRow(index, { ...row, name: event.currentTarget.value })}
                  />
                  {repositories.length > 1 && (
                    <button
                      type="button"
                      class="icon ghost"
                      aria-label={`Remove repository ${n}`}
                      onClick={() => props.onRepositories(repositories.filter((_, i) => i !== index))}
                    >
                      ×
                    </button>
                  )}
                </span>
                {repositoryCategory.levels.map((level) => {
                  const lacking = !holdsPermission(held, `repository/${name}:${level.name}`);
                  return (
                    <label key={level.name} class={`check${lacking ? ' lacking' : ''}`}>
                      <input
                        type="checkbox"
                        aria-label={`Repository ${n} ${level.label}`}
                        checked={row.levels.includes(level.name)}
                        disabled={lacking && !row.levels.includes(level.name)}
                        onChange={(event) =>
                          updateRow(index, {
                            ...row,
                            levels: toggled(row.levels, level.name, event.currentTarget.checked),
                          })
                        }
                      />
                      {level.label}
                    </label>
                  );
                })}
              </div>
            </fieldset>
          );
        })}
      <datalist id="repository-names">
        <option value="*">every repository</option>
        {props.knownRepositories.map((name) => (
          <option key={name} value={name} />
        ))}
      </datalist>
      {repositoryCategory && (
        <button
          type="button"
          class="small ghost add-repository"
          onClick={() => props.onRepositories([...repositories, { name: '', levels: [] }])}
        >
          Add a repository
        </button>
      )}
    </div>
  );
}
