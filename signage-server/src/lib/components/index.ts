// The CMS's small component set, shared by every admin and content page.
export { default as Badge } from './Badge.svelte';
export { default as Button } from './Button.svelte';
export { default as Card } from './Card.svelte';
export { default as Field } from './Field.svelte';
export { default as Flash } from './Flash.svelte';
export { default as PageHeader } from './PageHeader.svelte';
export { default as SubNav } from './SubNav.svelte';
export { default as Table } from './Table.svelte';
export { default as Chip } from './Chip.svelte';
