// The demo page: age, sex, symptom search, one question per page, outcome.
// Everything runs here with the triage engine; nothing is sent, and what is
// fetched is the page, the engine, the pathway catalog and then the part of
// the pathway chosen (fetched early, when it shows first in the results or
// is pointed at or focused). Progress is kept in sessionStorage so a
// reload loses nothing.
//
// The first screens (age, sex) need neither the engine nor the pathways, so
// they are shown at once while both load in the background; a screen that
// needs them waits on a loading page and goes on by itself. The engine's
// module is imported, not a static import, so this file can run before it
// has arrived.

const STORE_KEY = 'triage-demo';
const SERVICE_NAME = 'Check your symptoms';
const MAX_AGE = 120;
const ENGINE_MODULE = 'pkg/triage.js';
const ENGINE_FILE = 'pkg/triage_wasm_bg.wasm';
// The pathways, split by `triage compile --split`: the catalog (list and
// search) at once, and each pathway's part when it is chosen.
const BUNDLE_FOLDER = 'bundle/';
const BUNDLE_FILE = `${BUNDLE_FOLDER}catalog.triage`;
const LOADING_HEADING = 'Loading the symptom checker…';

const app = document.getElementById('app');
const backSlot = document.getElementById('back');

/** The engine's module (pkg/triage.js), once imported. */
let triage = null;
/** The compiled pathways, once loaded. */
let engine = null;
/** The journey under way, if any. */
let session = null;
/** The parts asked for: file name -> a promise that they are added to the engine. */
const parts = new Map();
/** A journey saved before a reload, kept until the engine can resume it. */
let savedSession = null;
/** Set while the loading page stands in for a screen that needs the engine. */
let waiting = null;
/** Why the engine could not be loaded, once it could not. */
let loadFailure = null;
/** Where the person is: the screen, and what they have told us so far. */
let state = freshState();

function freshState() {
  return { screen: 'age', answering: 'self', years: '', months: '', sex: '', words: '', language: 'en' };
}

// ---------------------------------------------------------------------------
// Building the page
// ---------------------------------------------------------------------------

/** Makes an element: h('p', {class: 'x', onclick: f}, 'text', child, ...). */
function h(tag, props = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === 'class') element.className = value;
    else if (name.startsWith('on')) element.addEventListener(name.slice(2), value);
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined && child !== false) element.append(child);
  }
  return element;
}

/** The patient as the engine takes it. */
function patient() {
  const years = Number(state.years);
  const months = years < 2 && state.months !== '' ? Number(state.months) : 0;
  return { age_years: years, age_months: months, sex: state.sex, answering: state.answering };
}

/** Marks `element` as being in `lang` where that differs from the page's English. */
function inLanguage(element, lang) {
  if (element && lang && lang !== 'en') element.setAttribute('lang', lang);
  else if (element && lang === 'en' && state.language !== 'en') element.setAttribute('lang', 'en');
  return element;
}

/** The switch between English and Welsh: the engine's texts follow it where the pathways have Welsh. */
function languageSwitch() {
  const slot = document.getElementById('language');
  if (!slot) return;
  const welsh = state.language === 'cy';
  slot.replaceChildren(h('a', {
    class: 'language__link',
    href: '#',
    lang: welsh ? 'en' : 'cy',
    hreflang: welsh ? 'en' : 'cy',
    onclick: (event) => {
      event.preventDefault();
      state.language = welsh ? 'en' : 'cy';
      if (session) session.setLanguage(state.language);
      persist();
      render(false);
      // The link was made afresh: keep the keyboard where it was.
      document.querySelector('#language a')?.focus();
    },
  }, welsh ? 'English' : 'Cymraeg'));
}

function persist() {
  try {
    const saved = { ...state, session: session ? session.save() : savedSession };
    sessionStorage.setItem(STORE_KEY, JSON.stringify(saved));
  } catch {
    // Storage may be full or blocked; the journey still works, it just won't survive a reload.
  }
}

/**
 * Replaces the page content. `heading` is the page's h1 text (also the title);
 * `back` is what the Back link does, if there is one. When `moveFocus` is
 * true the h1 takes focus, so a screen reader starts at the new question.
 */
function show({ heading, back, content, moveFocus, error = false }) {
  document.title = `${error ? 'Error: ' : ''}${heading} – ${SERVICE_NAME} – triage demo`;
  backSlot.replaceChildren(
    back
      ? h('div', { class: 'back-link' },
        h('a', {
          class: 'back-link__link',
          href: '#',
          onclick: (event) => {
            event.preventDefault();
            back();
          },
        }, 'Back'))
      : '',
  );
  app.replaceChildren(...content);
  if (moveFocus) {
    const h1 = app.querySelector('h1');
    if (h1) {
      h1.setAttribute('tabindex', '-1');
      h1.focus();
    }
  }
  window.scrollTo(0, 0);
}

/** The NHS-style error summary: a box at the top with a link to each field in error. */
function errorSummary(errors) {
  return h('div', {
    class: 'error-summary',
    'aria-labelledby': 'error-summary-title',
    role: 'alert',
    tabindex: '-1',
  },
  h('h2', { class: 'error-summary__title', id: 'error-summary-title' }, 'There is a problem'),
  h('ul', { class: 'error-summary__list' },
    errors.map((error) => h('li', {},
      h('a', {
        href: `#${error.field}`,
        onclick: (event) => {
          event.preventDefault();
          const field = document.getElementById(error.field);
          if (field) {
            field.focus();
            field.scrollIntoView({ block: 'center' });
          }
        },
      }, error.message)))));
}

function errorMessage(id, message) {
  return h('span', { class: 'error-message', id },
    h('span', { class: 'visually-hidden' }, 'Error: '), message);
}

function hint(id, text) {
  return text ? h('div', { class: 'hint', id }, text) : null;
}

function describedBy(...ids) {
  const present = ids.filter(Boolean);
  return present.length ? present.join(' ') : null;
}

function continueButton(label = 'Continue') {
  return h('button', { class: 'button', type: 'submit' }, label);
}

/**
 * Shows a one-question form. `fields(errors)` builds its inside, given the
 * errors to show; `read()` returns either {errors: [{field, message}]} or
 * {value}; `accept(value)` acts on a valid value (and may return errors).
 */
function formPage({ heading, back, fields, read, accept, moveFocus, errors = [] }) {
  const form = h('form', {
    novalidate: true,
    onsubmit: (event) => {
      event.preventDefault();
      const result = read();
      const problems = result.errors ?? accept(result.value) ?? [];
      if (problems.length) {
        // Show the errors with what was typed or chosen still in place.
        const entered = [...form.elements]
          .filter((field) => field.id && field.tagName === 'INPUT')
          .map((field) => ({ id: field.id, value: field.value, checked: field.checked }));
        formPage({ heading, back, fields, read, accept, errors: problems });
        for (const { id, value, checked } of entered) {
          const field = document.getElementById(id);
          if (!field) continue;
          if (field.type === 'radio' || field.type === 'checkbox') field.checked = checked;
          else field.value = value;
        }
        app.querySelector('.error-summary')?.focus();
      }
    },
  }, fields(errors), continueButton());
  const content = errors.length ? [errorSummary(errors), form] : [form];
  show({ heading, back, content, moveFocus, error: errors.length > 0 });
}

function errorFor(errors, field) {
  return errors.find((e) => e.field === field);
}

// ---------------------------------------------------------------------------
// Screens
// ---------------------------------------------------------------------------

function go(screen, moveFocus = true) {
  state.screen = screen;
  persist();
  render(moveFocus);
}

function render(moveFocus) {
  if (loadFailure) return fatal(loadFailure);
  languageSwitch();
  waiting = null;
  if (!engine && needsEngine(state.screen)) return loadingPage(moveFocus);
  try {
    renderScreen(moveFocus);
  } catch (error) {
    if (!isTriageError(error)) throw error;
    // What was stored no longer fits the pathways (or was altered): start again.
    session = null;
    savedSession = null;
    state = freshState();
    persist();
    agePage(moveFocus);
  }
}

/** Whether `screen` calls the engine to show itself. */
function needsEngine(screen) {
  return screen === 'symptom' || screen === 'journey';
}

function isTriageError(error) {
  return triage !== null && error instanceof triage.TriageError;
}

/** Stands in for a screen that needs the engine until it has loaded; engineLoaded() replaces it. */
function loadingPage(moveFocus, back = state.screen === 'symptom' ? () => go('sex') : null) {
  waiting = { moveFocus };
  show({
    heading: LOADING_HEADING,
    // From the symptom search, Back leads where the search's own Back would;
    // waiting for a pathway's questions, back to the search.
    back,
    moveFocus,
    content: [
      h('div', { class: 'loading', id: 'engine-loading', role: 'status', 'aria-live': 'polite' },
        h('span', { class: 'loading__spinner', 'aria-hidden': 'true' }),
        h('h1', {}, LOADING_HEADING),
        h('p', {}, 'This can take a few seconds on a slow connection. '
          + 'The next page will open by itself when it is ready.')),
    ],
  });
}

function renderScreen(moveFocus) {
  switch (state.screen) {
    case 'sex':
      return sexPage(moveFocus);
    case 'symptom':
      return symptomPage(moveFocus);
    case 'journey':
      if (session) return session.outcome ? outcomePage(moveFocus) : questionPage(moveFocus);
      return symptomPage(moveFocus);
    default:
      return agePage(moveFocus);
  }
}

function agePage(moveFocus) {
  const showMonths = () => {
    const group = document.getElementById('age-months-group');
    const years = document.getElementById('age-years').value.trim();
    if (group) group.hidden = !(years === '0' || years === '1');
  };
  const heading = state.answering === 'someone_else' ? 'How old are they?' : 'How old are you?';
  formPage({
    heading,
    moveFocus,
    fields: (errors) => {
      const yearsError = errorFor(errors, 'age-years');
      const monthsError = errorFor(errors, 'age-months');
      const years = h('input', {
        class: `input input--width-3${yearsError ? ' input--error' : ''}`,
        id: 'age-years',
        name: 'years',
        type: 'text',
        inputmode: 'numeric',
        autocomplete: 'off',
        spellcheck: 'false',
        value: state.years,
        'aria-describedby': describedBy('age-years-hint', yearsError && 'age-years-error'),
        oninput: showMonths,
      });
      const months = h('input', {
        class: `input input--width-3${monthsError ? ' input--error' : ''}`,
        id: 'age-months',
        name: 'months',
        type: 'text',
        inputmode: 'numeric',
        autocomplete: 'off',
        spellcheck: 'false',
        value: state.months,
        'aria-describedby': describedBy('age-months-hint', monthsError && 'age-months-error'),
      });
      const years01 = state.years.trim() === '0' || state.years.trim() === '1';
      const who = (value, label) => h('div', { class: 'radios__item' },
        h('input', {
          class: 'radios__input',
          id: `answering-${value}`,
          name: 'answering',
          type: 'radio',
          value,
          checked: state.answering === value,
          onchange: () => {
            state.answering = value;
            const title = value === 'someone_else' ? 'How old are they?' : 'How old are you?';
            document.querySelector('label[for="age-years"]').textContent = title;
          },
        }),
        h('label', { class: 'label radios__label', for: `answering-${value}` }, label));
      return [
        h('div', { class: 'form-group' },
          h('fieldset', { class: 'fieldset' },
            h('legend', { class: 'fieldset__legend' }, 'Who are you asking about?'),
            h('div', { class: 'radios radios--inline' },
              who('self', 'Myself'),
              who('someone_else', 'Someone else')))),
        h('div', { class: `form-group${yearsError ? ' form-group--error' : ''}` },
          h('h1', { class: 'label-wrapper' },
            h('label', { class: 'label label--l', for: 'age-years' }, heading)),
          hint('age-years-hint', 'Enter the age in years. If you are answering for someone else, enter their age. For a baby under 1, enter 0.'),
          yearsError && errorMessage('age-years-error', yearsError.message),
          h('div', { class: 'input-wrapper' }, years, h('span', { class: 'input__suffix' }, 'years'))),
        h('div', {
          class: `form-group${monthsError ? ' form-group--error' : ''}`,
          id: 'age-months-group',
          hidden: !(years01 || monthsError),
        },
        h('label', { class: 'label', for: 'age-months' }, 'And how many months? (optional)'),
        hint('age-months-hint', 'For babies and toddlers: months since their last birthday, from 0 to 11.'),
        monthsError && errorMessage('age-months-error', monthsError.message),
        h('div', { class: 'input-wrapper' }, months, h('span', { class: 'input__suffix' }, 'months'))),
      ];
    },
    read: () => {
      const years = document.getElementById('age-years').value.trim();
      const months = document.getElementById('age-months').value.trim();
      const someoneElse = document.getElementById('answering-someone_else');
      state.answering = someoneElse && someoneElse.checked ? 'someone_else' : 'self';
      state.years = years;
      state.months = months;
      if (years === '') return { errors: [{ field: 'age-years', message: 'Enter an age in years' }] };
      if (!/^\d+$/.test(years)) {
        return { errors: [{ field: 'age-years', message: 'Enter the age as a whole number of years, like 34' }] };
      }
      if (Number(years) > MAX_AGE) {
        return { errors: [{ field: 'age-years', message: `Enter an age of ${MAX_AGE} or less` }] };
      }
      if (Number(years) < 2 && months !== '' && !(/^\d+$/.test(months) && Number(months) <= 11)) {
        return { errors: [{ field: 'age-months', message: 'Enter months from 0 to 11' }] };
      }
      return { value: null };
    },
    accept: () => go('sex'),
  });
}

function sexPage(moveFocus) {
  const choices = [
    { id: 'female', label: 'Female' },
    { id: 'male', label: 'Male' },
  ];
  const heading = state.answering === 'someone_else' ? 'Are they male or female?' : 'Are you male or female?';
  formPage({
    heading,
    moveFocus,
    back: () => go('age'),
    fields: (errors) => {
      const error = errorFor(errors, 'sex-female');
      return h('div', { class: `form-group${error ? ' form-group--error' : ''}` },
        h('fieldset', {
          class: 'fieldset',
          'aria-describedby': describedBy('sex-hint', error && 'sex-error'),
        },
        h('legend', { class: 'fieldset__legend fieldset__legend--l' },
          h('h1', { class: 'fieldset__heading' }, heading)),
        hint('sex-hint', 'Some questions depend on this. If you are answering for someone else, answer for them.'),
        error && errorMessage('sex-error', error.message),
        h('div', { class: 'radios' },
          choices.map((choice) => h('div', { class: 'radios__item' },
            h('input', {
              class: 'radios__input',
              id: `sex-${choice.id}`,
              name: 'sex',
              type: 'radio',
              value: choice.id,
              checked: state.sex === choice.id,
            }),
            h('label', { class: 'label radios__label', for: `sex-${choice.id}` }, choice.label))))));
    },
    read: () => {
      const chosen = app.querySelector('input[name="sex"]:checked');
      if (!chosen) return { errors: [{ field: 'sex-female', message: 'Select female or male' }] };
      return { value: chosen.value };
    },
    accept: (sex) => {
      state.sex = sex;
      go('symptom');
    },
  });
}

function symptomPage(moveFocus, focusResults = false) {
  const words = state.words.trim();
  const symptomHeading = state.answering === 'someone_else' ? 'What is their main symptom?' : 'What is your main symptom?';
  // The search ends with the catch-all ("Other symptoms") when the words did not find it.
  const hits = words ? engine.pathways({ patient: patient(), words }) : [];
  let found = hits.filter((hit) => !hit.fallback);
  const catchAll = hits.filter((hit) => hit.fallback);
  const all = engine.pathways({ patient: patient() });
  let resultsHeading;
  let intro = null;
  if (!words) {
    resultsHeading = 'All symptoms';
    found = all;
  } else if (found.length) {
    resultsHeading = `${found.length} ${found.length === 1 ? 'result' : 'results'} for “${words}”`;
    found = found.concat(catchAll);
  } else {
    resultsHeading = `No results for “${words}”`;
    intro = h('p', {}, 'Check the spelling or try other words, or choose from all the symptoms below.');
    found = catchAll.concat(all.filter((p) => !catchAll.some((c) => c.id === p.id)));
  }
  const results = found.length
    ? h('ul', { class: 'results' },
      found.map((hit) => h('li', { class: 'results__item' },
        h('a', {
          class: 'results__link',
          href: '#',
          'data-pathway': hit.id,
          onclick: (event) => {
            event.preventDefault();
            startJourney(hit.id, hit.topic ? hit.topic.id : undefined);
          },
          // Fetch the pathway's questions as soon as it may be chosen.
          onpointerenter: () => prefetchPart(hit.id),
          ontouchstart: () => prefetchPart(hit.id),
          onfocus: () => prefetchPart(hit.id),
        }, hit.title),
        hit.summary ? h('p', { class: 'results__summary' }, hit.summary) : null)))
    : h('p', {}, 'There are no symptoms for this age and sex in these pathways.');

  const search = h('form', {
    role: 'search',
    novalidate: true,
    onsubmit: (event) => {
      event.preventDefault();
      state.words = document.getElementById('symptom-search').value;
      persist();
      symptomPage(false, true);
    },
  },
  h('div', { class: 'form-group' },
    h('h1', { class: 'label-wrapper' },
      h('label', { class: 'label label--l', for: 'symptom-search' }, symptomHeading)),
    hint('symptom-search-hint', 'Describe it in a few words, then choose it from the list.'),
    h('div', { class: 'search' },
      h('input', {
        class: 'input search__input',
        id: 'symptom-search',
        name: 'words',
        type: 'search',
        autocomplete: 'off',
        value: state.words,
        'aria-describedby': 'symptom-search-hint',
      }),
      h('button', { class: 'button button--secondary search__button', type: 'submit' }, 'Search'))));

  show({
    heading: symptomHeading,
    back: () => go('sex'),
    moveFocus,
    content: [
      search,
      h('h2', { class: 'results__heading', id: 'results-heading', tabindex: '-1' }, resultsHeading),
      intro,
      results,
    ].filter(Boolean),
  });
  if (focusResults) document.getElementById('results-heading').focus();
  // The best match is the likeliest choice: fetch its questions now.
  if (words && found.length) prefetchPart(found[0].id);
}

/**
 * Adds the part of `pathway` to `loaded` (the engine), fetching it once;
 * resolves at once when none is needed. A part that cannot be fetched or is
 * refused rejects with a LoadError, and is asked for again next time.
 */
function loadPart(loaded, pathway) {
  const file = loaded.partNeeded(pathway);
  if (!file) return Promise.resolve();
  let pending = parts.get(file);
  if (!pending) {
    pending = fetch(BUNDLE_FOLDER + encodeURIComponent(file))
      .then(async (response) => {
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        loaded.addPart(new Uint8Array(await response.arrayBuffer()));
      })
      .catch((error) => {
        parts.delete(file);
        // Cut short or changed, for another release, or of other pathways than the catalog.
        const reason = isTriageError(error) ? `${error.code}: ${error.message}` : error.message;
        throw new LoadError(`could not load the pathway (${file}): ${reason}`);
      });
    parts.set(file, pending);
  }
  return pending;
}

/** Starts fetching the part of `pathway`, if the engine is in; failures show when it is chosen. */
function prefetchPart(pathway) {
  if (engine) loadPart(engine, pathway).catch(() => {});
}

function startJourney(pathway, topic) {
  const begin = () => {
    try {
      session = engine.start(pathway, patient(), { topic, language: state.language });
    } catch (error) {
      return fatal(error);
    }
    go('journey');
  };
  if (!engine.partNeeded(pathway)) return begin();
  // The questions are still on their way: the loading page stands in until
  // they are here, unless the person goes elsewhere meanwhile.
  loadingPage(true, () => go('symptom'));
  const stoodIn = waiting;
  loadPart(engine, pathway).then(
    () => { if (waiting === stoodIn) begin(); },
    (error) => { if (waiting === stoodIn) fatal(error); },
  );
}

function goBackInJourney() {
  if (session && session.canGoBack) {
    session.back();
    go('journey');
  } else {
    session = null;
    go('symptom');
  }
}

const EXCLUSIVE = new Set(['none', 'not_sure']);

function questionPage(moveFocus) {
  const question = session.question;
  const field = question.kind === 'number' ? 'answer-number' : 'answer-0';
  formPage({
    heading: question.text,
    moveFocus,
    back: goBackInJourney,
    fields: (errors) => questionFields(question, errorFor(errors, field)),
    read: () => readAnswer(question, field),
    accept: (value) => {
      try {
        session.answer(question.id, value);
      } catch (error) {
        if (isTriageError(error)) return [{ field, message: refusalMessage(question, error) }];
        throw error;
      }
      go('journey');
      return [];
    },
  });
}

function questionFields(question, error) {
  const hintId = question.help || question.kind === 'multiple' ? 'answer-hint' : null;
  const saysAllThatApply = /all that apply/i.test(question.help ?? '');
  const hintText = question.kind === 'multiple' && !saysAllThatApply
    ? [question.help, 'Select all that apply.'].filter(Boolean).join(' ')
    : question.help;
  const errorId = error ? 'answer-error' : null;
  const groupClass = `form-group${error ? ' form-group--error' : ''}`;

  if (question.kind === 'number') {
    const [min, max] = question.range ?? [null, null];
    const unit = question.unit ?? '';
    const numberHint = [question.help, min !== null ? `Enter a number from ${min} to ${max}${unit ? ` ${unit}` : ''}.` : null]
      .filter(Boolean).join(' ');
    const notSure = question.options.find((o) => o.id === 'not_sure');
    return h('div', { class: groupClass },
      h('h1', { class: 'label-wrapper' },
        inLanguage(h('label', { class: 'label label--l', for: 'answer-number' }, question.text), question.lang)),
      hint('answer-hint', numberHint),
      error && errorMessage(errorId, error.message),
      h('div', { class: 'input-wrapper' },
        h('input', {
          class: `input input--width-5${error ? ' input--error' : ''}`,
          id: 'answer-number',
          name: 'answer',
          type: 'text',
          inputmode: 'decimal',
          autocomplete: 'off',
          spellcheck: 'false',
          'aria-describedby': describedBy(numberHint && 'answer-hint', errorId),
          oninput: () => {
            const box = document.getElementById('answer-not-sure');
            if (box) box.checked = false;
          },
        }),
        unit ? h('span', { class: 'input__suffix', 'aria-hidden': 'true' }, unit) : null),
      notSure && h('div', { class: 'checkboxes checkboxes--alone' },
        h('div', { class: 'checkboxes__divider' }, 'or'),
        h('div', { class: 'checkboxes__item' },
          h('input', {
            class: 'checkboxes__input',
            id: 'answer-not-sure',
            name: 'not-sure',
            type: 'checkbox',
            value: notSure.id,
            onchange: (event) => {
              if (event.target.checked) document.getElementById('answer-number').value = '';
            },
          }),
          h('label', { class: 'label checkboxes__label', for: 'answer-not-sure' }, notSure.label))));
  }

  const multiple = question.kind === 'multiple';
  const type = multiple ? 'checkbox' : 'radio';
  const kind = multiple ? 'checkboxes' : 'radios';
  const items = [];
  question.options.forEach((option, index) => {
    const exclusive = multiple && EXCLUSIVE.has(option.id);
    if (exclusive && !question.options.slice(0, index).some((o) => EXCLUSIVE.has(o.id))) {
      items.push(h('div', { class: `${kind}__divider` }, 'or'));
    }
    items.push(h('div', { class: `${kind}__item` },
      h('input', {
        class: `${kind}__input`,
        id: `answer-${index}`,
        name: 'answer',
        type,
        value: option.id,
        'data-exclusive': exclusive ? 'true' : null,
        onchange: multiple ? (event) => keepExclusive(event.target) : null,
      }),
      inLanguage(h('label', { class: `label ${kind}__label`, for: `answer-${index}` }, option.label), option.lang)));
  });
  return h('div', { class: groupClass },
    h('fieldset', { class: 'fieldset', 'aria-describedby': describedBy(hintId, errorId) },
      h('legend', { class: 'fieldset__legend fieldset__legend--l' },
        inLanguage(h('h1', { class: 'fieldset__heading' }, question.text), question.lang)),
      hint('answer-hint', hintText),
      error && errorMessage(errorId, error.message),
      h('div', { class: kind }, items)));
}

/** "None of these" and "I'm not sure" cannot be chosen with anything else. */
function keepExclusive(changed) {
  if (!changed.checked) return;
  const boxes = app.querySelectorAll('input[name="answer"]');
  for (const box of boxes) {
    if (box === changed) continue;
    if (changed.dataset.exclusive || box.dataset.exclusive) box.checked = false;
  }
}

function readAnswer(question, field) {
  if (question.kind === 'number') {
    const notSure = document.getElementById('answer-not-sure');
    if (notSure?.checked) return { value: notSure.value };
    const text = document.getElementById('answer-number').value.trim().replace(',', '.');
    const range = question.range ? ` from ${question.range[0]} to ${question.range[1]}` : '';
    if (text === '') {
      const orNotSure = notSure ? ', or select ‘I’m not sure’' : '';
      return { errors: [{ field, message: `Enter a number${range}${orNotSure}` }] };
    }
    const number = Number(text);
    if (!/^-?\d+(\.\d+)?$/.test(text) || !Number.isFinite(number)) {
      return { errors: [{ field, message: `Enter a number${range}, like ${question.range?.[0] ?? 10}` }] };
    }
    return { value: number };
  }
  const chosen = [...app.querySelectorAll('input[name="answer"]:checked')].map((input) => input.value);
  if (chosen.length === 0) {
    const message = question.kind === 'multiple' ? 'Select all that apply, or ‘None of these’' : 'Select an answer';
    return { errors: [{ field, message }] };
  }
  if (question.kind === 'multiple') return { value: chosen.length === 1 && EXCLUSIVE.has(chosen[0]) ? chosen[0] : chosen };
  return { value: chosen[0] };
}

/** What to tell the person when the engine refuses an answer. */
function refusalMessage(question, error) {
  if (error.code === 'number_out_of_range' && question.range) {
    return `Enter a number from ${question.range[0]} to ${question.range[1]}`;
  }
  if (error.code === 'exclusive_option') return 'Select ‘None of these’ on its own, or only the answers that apply';
  return error.message;
}

const URGENCY_CAPTIONS = {
  emergency: 'Emergency',
  urgent: 'Urgent',
  routine: 'Not urgent',
  self_care: 'Self-care',
};

/** Places a person goes to; for the other services they call or contact them. */
const GO_TO = new Set(['emergency_department', 'urgent_treatment_centre', 'eye_casualty', 'pharmacy']);

/**
 * How soon the person should act, in minutes (0 = now), or null for no
 * deadline. Never the service's own target (service_standard_minutes): the
 * ambulance response standard or a call-back time is not time the person has.
 */
function actWithinMinutes(disposition) {
  return disposition.act_within_minutes ?? null;
}

/** 45 -> "45 minutes", 60 -> "1 hour", 90 -> "1 hour 30 minutes", 4320 -> "3 days". */
function duration(minutes) {
  const unit = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`;
  if (minutes >= 2 * 1440 && minutes % 1440 === 0) return unit(minutes / 1440, 'day');
  if (minutes < 60) return unit(minutes, 'minute');
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return rest ? `${unit(hours, 'hour')} ${unit(rest, 'minute')}` : unit(hours, 'hour');
}

/** "Go within 1 hour", or null when the title says now or there is no deadline. */
function deadline(disposition) {
  const minutes = actWithinMinutes(disposition);
  if (typeof minutes !== 'number' || minutes <= 0) return null;
  return `${GO_TO.has(disposition.service) ? 'Go' : 'Get help'} within ${duration(minutes)}`;
}

/** A link that dials `number` on a phone: big enough for a thumb, a plain link for the keyboard. */
function callLink(number, label, secondary = false) {
  return h('a', { class: `button button--call${secondary ? ' button--secondary' : ''}`, href: `tel:${number}` }, label);
}

function outcomePage(moveFocus) {
  const outcome = session.outcome;
  const { disposition } = outcome;
  const urgency = disposition.urgency in URGENCY_CAPTIONS ? disposition.urgency : 'routine';
  const ambulance = disposition.service === 'ambulance';
  const when = deadline(disposition);
  const content = [
    h('div', { class: `outcome outcome--${urgency.replace('_', '-')}` },
      h('p', { class: 'outcome__caption' }, URGENCY_CAPTIONS[urgency]),
      inLanguage(h('h1', { class: 'outcome__heading' }, disposition.title), disposition.lang),
      when ? h('p', { class: 'outcome__when' }, when) : null,
      disposition.description ? inLanguage(h('p', { class: 'outcome__description' }, disposition.description), disposition.lang) : null,
      ambulance ? h('p', { class: 'outcome__call' }, callLink('999', 'Call 999')) : null),
  ];
  if (!ambulance) {
    const they = state.answering === 'someone_else';
    content.push(
      h('div', { class: 'worse' },
        h('h2', {}, they ? 'If they get worse' : 'If you get worse'),
        h('p', {}, `Call 111 if ${they ? 'they get worse or you are worried about them' : 'you get worse or you are worried'}, `
          + 'or if you cannot get the help this page says. In an emergency, call 999.'),
        h('p', { class: 'worse__calls' }, callLink('111', 'Call 111', true), ' ', callLink('999', 'Call 999 in an emergency', true))),
    );
  }
  if (outcome.reasons.length) {
    content.push(
      h('h2', {}, 'Why we have given you this advice'),
      h('p', {}, 'Because you told us about:'),
      h('ul', { class: 'list list--bullet' },
        outcome.reasons.map((reason) => inLanguage(h('li', {}, reason.text), reason.lang))),
    );
  }
  if (outcome.care_advice.length) {
    content.push(h('h2', {}, 'What you can do'));
    for (const advice of outcome.care_advice) {
      content.push(inLanguage(h('div', { class: 'care-card' },
        h('h3', { class: 'care-card__heading' }, advice.title),
        ...advice.text.split(/\n\s*\n/).map((paragraph) => h('p', {}, paragraph.trim()))), advice.lang));
    }
  }
  content.push(
    h('details', { class: 'details' },
      h('summary', { class: 'details__summary' }, 'Your answers'),
      h('div', { class: 'details__text' },
        h('dl', { class: 'summary-list' }, outcome.transcript.map(transcriptRow)),
        h('p', { class: 'hint' }, `Outcome code ${disposition.code}.`))),
    h('button', {
      class: 'button button--secondary',
      type: 'button',
      onclick: startAgain,
    }, 'Start again'),
  );
  show({ heading: disposition.title, back: goBackInJourney, moveFocus, content });
}

/** One question and its answer; for a multiple choice, also the options the person said no to. */
function transcriptRow(entry) {
  const ruledOut = Array.isArray(entry.ruled_out) ? entry.ruled_out : [];
  return inLanguage(h('div', { class: 'summary-list__row' },
    h('dt', { class: 'summary-list__key' }, entry.text),
    h('dd', { class: 'summary-list__value' },
      h('span', { class: 'summary-list__answer' }, entry.answer),
      ruledOut.length
        ? h('span', { class: 'summary-list__ruled-out' }, 'You said no to:',
          h('ul', { class: 'list list--bullet' }, ruledOut.map((label) => h('li', {}, label))))
        : null)), entry.lang);
}

function startAgain() {
  session = null;
  savedSession = null;
  state = freshState();
  go('age');
}

// ---------------------------------------------------------------------------
// Start-up
// ---------------------------------------------------------------------------

/** An error in loading the page's files (the engine or the pathways), as opposed to a bug. */
class LoadError extends Error {}

function fatal(error) {
  console.error(error);
  const loading = error instanceof LoadError;
  show({
    heading: 'Sorry, there is a problem with this page',
    moveFocus: true,
    content: [
      h('h1', {}, 'Sorry, there is a problem with this page'),
      h('p', {}, 'The symptom checker could not start. Try again later. If you need help now, call ',
        h('a', { href: 'tel:111' }, '111'), ', or ', h('a', { href: 'tel:999' }, '999'), ' in an emergency.'),
      loading ? h('p', {}, 'If you run this page yourself: build it with scripts/build-wasm.sh and serve the triage-wasm/site folder:') : null,
      loading ? h('pre', { class: 'command' }, h('code', {}, 'python3 -m http.server 8000 --directory triage-wasm/site')) : null,
      h('p', { class: 'hint' }, isTriageError(error) ? `${error.code}: ${error.message}` : String(error.message ?? error)),
    ].filter(Boolean),
  });
  document.body.dataset.problem = 'true';
}

/**
 * Loads the engine's module, its WebAssembly and the compiled pathways, all
 * at once; resolves to the Engine. Both fetches start here, before the first
 * screen is drawn, and take up the preloads in index.html: fetch() with its
 * defaults asks in the same mode as a `crossorigin` preload (CORS, same-origin
 * credentials), as it must, or the file would be downloaded twice.
 */
function loadEngine() {
  const wasm = fetch(ENGINE_FILE);
  // init() reads it only once the module is in; a failure meanwhile is not unhandled.
  wasm.catch(() => {});
  const bundle = fetch(BUNDLE_FILE)
    .then(async (response) => {
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      return new Uint8Array(await response.arrayBuffer());
    })
    .catch((error) => {
      throw new LoadError(`could not load the pathways (${BUNDLE_FILE}): ${error.message}`);
    });
  const module = import(`./${ENGINE_MODULE}`).then(
    (loaded) => loaded.init(wasm).then(() => loaded, (error) => {
      throw new LoadError(`could not load the engine (${ENGINE_FILE}): ${error.message}`);
    }),
    (error) => {
      throw new LoadError(`could not load the engine (${ENGINE_MODULE}): ${error.message}`);
    },
  );
  return Promise.all([module, bundle]).then(async ([loaded, bytes]) => {
    triage = loaded;
    try {
      return await triage.Engine.fromArtifact(bytes);
    } catch (error) {
      // Not a pathways file, one cut short or changed, or one for another release of the engine.
      const reason = isTriageError(error) ? `${error.code}: ${error.message}` : error.message;
      throw new LoadError(`could not load the pathways (${BUNDLE_FILE}): ${reason}`);
    }
  });
}

function restore() {
  let saved = null;
  try {
    saved = JSON.parse(sessionStorage.getItem(STORE_KEY) ?? 'null');
  } catch {
    saved = null;
  }
  if (!saved || typeof saved !== 'object') return false;
  state = { ...freshState(), ...saved };
  delete state.session;
  // Resumed by resumeSaved() once the engine has loaded.
  savedSession = typeof saved.session === 'string' ? saved.session : null;
  return true;
}

function resumeSaved() {
  if (savedSession === null) return;
  const saved = savedSession;
  savedSession = null;
  try {
    session = engine.resume(saved);
    // The language may have been switched while the engine was loading.
    if (session.language !== state.language) session.setLanguage(state.language);
  } catch {
    // The pathways changed since the journey began: it cannot be trusted, so start the symptom again.
    session = null;
    if (state.screen === 'journey') state.screen = 'symptom';
  }
}

/** The first screen is on screen and can be used. */
function firstScreenShown() {
  if (document.body.dataset.ready) return;
  document.body.dataset.ready = 'true';
  performance.mark('triage:first-screen');
}

function engineLoaded(loaded) {
  engine = loaded;
  performance.mark('triage:engine-ready');
  resumeSaved();
  if (waiting) {
    const active = document.activeElement;
    const onLanguage = Boolean(active?.closest('#language'));
    // The heading takes the focus if the loading page gave it to its own, or
    // if the focus was on something this replaces.
    const lost = app.contains(active) || backSlot.contains(active);
    render(!onLanguage && (waiting.moveFocus || lost));
    if (onLanguage) document.querySelector('#language a')?.focus();
  }
  document.body.dataset.engine = 'ready';
  firstScreenShown();
}

function engineFailed(error) {
  loadFailure = error;
  // Nothing is left to switch the language of.
  document.getElementById('language')?.replaceChildren();
  fatal(error);
  document.body.dataset.engine = 'failed';
}

/** The pathway a saved session is on, if it says. */
function savedPathway(saved) {
  try {
    const pathway = JSON.parse(saved)?.pathway;
    return typeof pathway === 'string' ? pathway : null;
  } catch {
    return null;
  }
}

function start() {
  // First, so that the engine's files are asked for before anything is drawn.
  const loading = loadEngine().then(async (loaded) => {
    // A journey restored after a reload needs its pathway's part to resume.
    const pathway = savedSession === null ? null : savedPathway(savedSession);
    if (pathway !== null) await loadPart(loaded, pathway).catch(() => {});
    return loaded;
  });
  restore();
  render(false);
  // A journey restored after a reload needs the engine: its screen, not the
  // loading page, is the first screen.
  if (!waiting) firstScreenShown();
  loading.then(engineLoaded, engineFailed);
}

start();
