/** The media library's display helpers live in $lib (the content editor's asset picker uses them too). */
export { formatBytes, formatDuration, previewUrl } from '$lib/cms/media-format';
