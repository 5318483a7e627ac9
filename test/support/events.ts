// Tests read the recorded corpus through the same loader as the CLI.
export { EVENTS_DIR, listEvents, loadEvent, readEventText } from '../../local/corpus';
