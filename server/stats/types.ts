/** The shapes of the statistics. */

export interface Period {
  from: string;
  to: string;
}

export interface VolumeRow {
  month: string;
  key: string;
  count: number;
}

export interface OnTimeRow {
  /** A case type, or 'all'. */
  type: string;
  replies: number;
  onTime: number;
  /** Percentage to one decimal place; null when there were no replies. */
  onTimePercent: number | null;
  /** On time against the base limit (before any lawful extension). */
  onTimeBase: number;
  acknowledged: number;
  acknowledgedOnTime: number;
  medianCalendarDays: number | null;
  medianWorkingDays: number | null;
}

export interface AssigneeRow {
  assigneeId: string | null;
  assignee: string;
  open: number;
  overdue: number;
  dueSoon: number;
  oldestReceivedOn: string | null;
}

export interface CorrespondenceStats {
  period: Period;
  today: string;
  volumeByType: VolumeRow[];
  volumeByChannel: VolumeRow[];
  onTime: OnTimeRow[];
  byAssignee: AssigneeRow[];
}
