/** Vietnamese first, English on request: the words of both pages and how dates are written. */
import { createContext, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';

export type Lang = 'vi' | 'en';

const WORDS = {
  skip: ['Bỏ qua, đến nội dung chính', 'Skip to main content'],
  language: ['English', 'Tiếng Việt'],
  languageLabel: ['Switch to English', 'Chuyển sang tiếng Việt'],
  signOut: ['Đăng xuất', 'Sign out'],
  loading: ['Đang tải…', 'Loading…'],
  error: ['Lỗi', 'Error'],
  none: ['Không có', 'None'],
  close: ['Đóng', 'Close'],
  // Console
  consoleTitle: ['Bảng điều khiển kiểm toán truy cập dữ liệu', 'Data access audit console'],
  consoleIntro: [
    'Xem ai đã đọc dữ liệu của ai, khi nào và vì sao. Mỗi thao tác ở đây cũng được ghi vào nhật ký.',
    'See who read whose data, when and why. Every action here is itself logged.',
  ],
  apiKey: ['Khóa API của đơn vị kiểm toán', "Auditor client's API key"],
  apiKeyHelp: [
    'Khóa chỉ được giữ trong bộ nhớ của thẻ này và mất khi đóng thẻ.',
    'The key is kept in this tab’s memory only and is gone when the tab closes.',
  ],
  signIn: ['Đăng nhập', 'Sign in'],
  tabLog: ['Nhật ký truy cập', 'Access log'],
  tabCharts: ['Biểu đồ', 'Charts'],
  tabAnomalies: ['Dấu hiệu bất thường', 'Unusual patterns'],
  tabChain: ['Kiểm tra chuỗi băm', 'Chain verification'],
  filters: ['Bộ lọc', 'Filters'],
  client: ['Hệ thống (client)', 'Client'],
  subjectId: [
    'Mã đối tượng (số định danh, mã doanh nghiệp…)',
    'Subject id (citizen id, enterprise code…)',
  ],
  purpose: ['Mục đích', 'Purpose'],
  caseId: ['Số hồ sơ', 'Case id'],
  from: ['Từ', 'From'],
  to: ['Đến', 'To'],
  outcome: ['Kết quả', 'Outcome'],
  anyOutcome: ['Tất cả', 'Any'],
  apply: ['Lọc', 'Apply'],
  clear: ['Xóa bộ lọc', 'Clear'],
  exportCsv: ['Xuất CSV', 'Export CSV'],
  exporting: ['Đang xuất {n} mục…', 'Exporting {n} entries…'],
  exported: ['Đã xuất {n} mục.', 'Exported {n} entries.'],
  exportCapped: [
    'Đã xuất {n} mục đầu tiên (giới hạn); thu hẹp bộ lọc để xuất phần còn lại.',
    'Exported the first {n} entries (the limit); narrow the filter for the rest.',
  ],
  seq: ['Số thứ tự', 'Seq'],
  time: ['Thời điểm', 'Time'],
  subjects: ['Đối tượng', 'Subjects'],
  details: ['Chi tiết', 'Details'],
  detailsOf: ['Chi tiết mục {seq}', 'Details of entry {seq}'],
  noEntries: ['Không có mục nào khớp bộ lọc.', 'No entry matches the filter.'],
  firstPage: ['Trang đầu', 'First page'],
  previousPage: ['Trang trước', 'Previous page'],
  nextPage: ['Trang sau', 'Next page'],
  pageN: ['Trang {n}', 'Page {n}'],
  entry: ['Mục nhật ký', 'Log entry'],
  requestId: ['Mã yêu cầu', 'Request id'],
  actor: ['Người thực hiện', 'Actor'],
  operation: ['Thao tác GraphQL', 'GraphQL operation'],
  documentHash: ['Băm của câu truy vấn', 'Document hash'],
  fieldsReturned: ['Trường đã trả về', 'Fields returned'],
  fieldsRefused: ['Trường bị từ chối', 'Fields refused'],
  duration: ['Thời gian xử lý', 'Duration'],
  restrictedUntil: ['Ẩn với công dân đến', 'Hidden from the citizen until'],
  previousHash: ['Băm của mục trước', 'Previous hash'],
  hash: ['Băm của mục này', 'Entry hash'],
  subgraphs: ['Các mục của subgraph', 'Subgraph entries'],
  subgraphsAbsent: [
    'Không có: cổng này chưa chạy ở chế độ liên kết (federation), nên không có mục nào của subgraph để hiển thị.',
    'None: this gateway does not run federated yet, so there are no subgraph entries to show.',
  ],
  notFound: ['Không tìm thấy mục {seq}.', 'Entry {seq} not found.'],
  verify: ['Kiểm tra chuỗi', 'Verify the chain'],
  verifyIntro: [
    'Tính lại băm của từng mục và so với các điểm kiểm tra đã ký. Để trống để kiểm tra toàn bộ.',
    'Recomputes every entry’s hash and checks the signed checkpoints. Leave empty for the whole log.',
  ],
  chainOk: ['Chuỗi toàn vẹn', 'Chain intact'],
  chainBroken: ['Chuỗi bị phá vỡ', 'Chain broken'],
  checkedEntries: ['Số mục đã kiểm tra', 'Entries checked'],
  checkedCheckpoints: ['Số điểm kiểm tra đã ký', 'Signed checkpoints checked'],
  firstBroken: ['Mục hỏng đầu tiên', 'First broken entry'],
  problem: ['Vấn đề', 'Problem'],
  openEntry: ['Mở mục {seq}', 'Open entry {seq}'],
  tabWitnesses: ['Nhân chứng', 'Witnesses'],
  witnessesIntro: [
    'Nhân chứng là dịch vụ nằm ngoài cơ sở dữ liệu của nhật ký, ký xác nhận từng điểm kiểm tra của nhật ký. Nhờ đó, phần cuối nhật ký bị xóa hay viết lại sẽ bị phát hiện khi kiểm tra chuỗi.',
    'A witness is a service outside the log’s database that cosigns each of the log’s checkpoints, so that a dropped or rewritten tail is found when the chain is verified.',
  ],
  noWitness: [
    'Chưa cấu hình nhân chứng nào (AUDIT_WITNESS_URL): các điểm kiểm tra chỉ nằm trong cơ sở dữ liệu của nhật ký, nên không thể phát hiện việc xóa phần cuối nhật ký.',
    'No witness is configured (AUDIT_WITNESS_URL): the checkpoints are kept only in the log’s database, so a dropped tail cannot be detected.',
  ],
  witnessesSummary: [
    '{current}/{total} nhân chứng đã ký xác nhận điểm kiểm tra mới nhất của nhật ký.',
    '{current} of {total} witnesses have cosigned the log’s newest checkpoint.',
  ],
  logCheckpoint: ['Điểm kiểm tra mới nhất của nhật ký', 'The log’s newest checkpoint'],
  logHead: ['Mục mới nhất của nhật ký', 'The log’s newest entry'],
  checkpointMark: ['mục {seq}, ký lúc {time}', 'entry {seq}, signed {time}'],
  checkpointSeq: ['mục {seq}', 'entry {seq}'],
  noCheckpoint: ['Chưa có', 'None yet'],
  witnessKey: ['Khóa của nhân chứng', 'Witness key'],
  lastCosigned: ['Điểm kiểm tra mới nhất đã ký xác nhận', 'Newest checkpoint cosigned'],
  witnessBacklog: ['Điểm kiểm tra chưa được ký xác nhận', 'Checkpoints not yet cosigned'],
  unwitnessedEntries: ['Số mục sau điểm đã ký xác nhận', 'Entries after the cosigned checkpoint'],
  lastError: ['Lỗi gần nhất', 'Last error'],
  refresh: ['Làm mới', 'Refresh'],
  UP_TO_DATE: ['Đã cập nhật', 'Up to date'],
  BEHIND: ['Đang chậm', 'Behind'],
  UNREACHABLE: ['Không liên lạc được', 'Unreachable'],
  FORKED: ['Rẽ nhánh hoặc bị từ chối', 'Forked or refused'],
  UP_TO_DATE_TEXT: [
    'Đã ký xác nhận điểm kiểm tra mới nhất của nhật ký.',
    'It has cosigned the log’s newest checkpoint.',
  ],
  BEHIND_TEXT: [
    'Đang hoạt động; {n} điểm kiểm tra đang chờ được ký xác nhận.',
    'It answers; {n} checkpoints wait for its cosignature.',
  ],
  UNREACHABLE_TEXT: [
    'Không liên lạc được: các điểm kiểm tra được xếp hàng và gửi khi nhân chứng hoạt động lại; trong lúc đó nhân chứng này không phát hiện được gì.',
    'It cannot be reached: checkpoints queue and go out when it answers again; meanwhile it detects nothing.',
  ],
  FORKED_TEXT: [
    'Nhân chứng từ chối điểm kiểm tra của nhật ký, hoặc giữ một điểm kiểm tra vượt quá nhật ký: phần cuối nhật ký có thể đã bị xóa hoặc viết lại. Hãy kiểm tra chuỗi.',
    'It refused the log’s checkpoint, or holds one beyond the log’s newest: the log’s tail may have been dropped or rewritten. Verify the chain.',
  ],
  range: ['Khoảng thời gian', 'Period'],
  last7Hours: ['7 ngày qua, theo giờ', 'Last 7 days, by hour'],
  last30Days: ['30 ngày qua, theo ngày', 'Last 30 days, by day'],
  last90Days: ['90 ngày qua, theo ngày', 'Last 90 days, by day'],
  volumeByClient: ['Lượt truy cập theo hệ thống', 'Accesses per client'],
  volumeByPurpose: ['Lượt truy cập theo mục đích', 'Accesses per purpose'],
  refusals: ['Lượt bị từ chối theo hệ thống', 'Refusals per client'],
  totals: ['Tổng theo hệ thống và mục đích', 'Totals per client and purpose'],
  total: ['Tổng', 'Total'],
  refused: ['Bị từ chối', 'Refused'],
  noData: ['Không có dữ liệu trong khoảng này.', 'No data in this period.'],
  anomaliesIntro: [
    'Các mẫu truy cập đáng xem xét trong 7 ngày qua. Đây là gợi ý, không phải kết luận.',
    'Access patterns worth a look over the last 7 days. Hints, not findings.',
  ],
  noAnomalies: ['Không thấy dấu hiệu bất thường.', 'No unusual pattern seen.'],
  SUBJECT_SURGE: ['Đọc nhiều đối tượng bất thường', 'Far more subjects than usual'],
  NIGHT_READS: ['Đọc dữ liệu ban đêm', 'Reads at night'],
  REFUSAL_BURST: ['Nhiều lượt bị từ chối liên tiếp', 'Burst of refusals'],
  UNBOUND_FIELDS: ['Đọc trường ngoài thủ tục', 'Fields outside the procedure'],
  surgeText: [
    '{client} đọc {count} đối tượng khác nhau trong ngày {day}, so với trung bình {baseline}/ngày trước đó.',
    '{client} read {count} distinct subjects on {day}, against {baseline} a day before.',
  ],
  nightText: [
    '{client} đọc dữ liệu cá nhân {count} lần trong khoảng 22:00–06:00 (giờ Việt Nam), trên tổng {baseline} lần đọc.',
    '{client} read personal data {count} times between 22:00 and 06:00 (Vietnam time), of {baseline} reads.',
  ],
  burstText: [
    '{client} bị từ chối {count} lần trên {baseline} yêu cầu trong giờ bắt đầu lúc {day}.',
    '{client} was refused {count} times of {baseline} requests in the hour from {day}.',
  ],
  unboundText: [
    '{client} đọc {fields} với mục đích {purpose} trong {count} yêu cầu; thủ tục này không cần các trường đó.',
    '{client} read {fields} under {purpose} in {count} requests; the procedure does not bind these fields.',
  ],
  showEntries: ['Xem các mục liên quan', 'Show the entries'],
  // Citizen page
  citizenTitle: ['Dữ liệu của tôi', 'My data'],
  citizenIntro: [
    'Xem dữ liệu các cơ sở dữ liệu quốc gia đang lưu về bạn, ai đã đọc và vì sao, và quản lý sự đồng ý của bạn.',
    'See what the national databases hold about you, who read it and why, and manage your consents.',
  ],
  demoSignIn: ['Đăng nhập thử qua VNeID mô phỏng', 'Demo sign-in through the mock VNeID'],
  demoCitizen: ['Công dân mẫu (số định danh)', 'Sample citizen (citizen id)'],
  demoNote: [
    'Chỉ có trên bản chạy thử với dữ liệu tổng hợp; bản triển khai thật dùng VNeID.',
    'Only on the demo with synthetic data; a real deployment uses VNeID.',
  ],
  token: ['Mã xác thực danh tính công dân (VNeID)', 'Citizen identity token (VNeID)'],
  tokenHelp: [
    'Mã chỉ được giữ trong bộ nhớ của thẻ này.',
    'The token is kept in this tab’s memory only.',
  ],
  myRecords: ['Dữ liệu các cơ sở dữ liệu quốc gia đang lưu', 'What the national databases hold'],
  sourceLine: ['Nguồn: {database}, cập nhật {date}', 'Source: {database}, updated {date}'],
  POPULATION: ['CSDL quốc gia về dân cư', 'National population database'],
  ENTERPRISE: ['CSDL quốc gia về đăng ký doanh nghiệp', 'National business registration database'],
  LAND: ['CSDL quốc gia về đất đai', 'National land database'],
  INSURANCE: ['CSDL quốc gia về bảo hiểm', 'National insurance database'],
  CIVIL_SERVICE: [
    'CSDL quốc gia về cán bộ, công chức, viên chức',
    'National civil servants database',
  ],
  REFERENCE: ['Danh mục dùng chung', 'Shared reference data'],
  identity: ['Thông tin công dân', 'Citizen'],
  fullName: ['Họ và tên', 'Full name'],
  dateOfBirth: ['Ngày sinh', 'Date of birth'],
  sex: ['Giới tính', 'Sex'],
  address: ['Nơi thường trú', 'Permanent address'],
  enterprises: ['Doanh nghiệp', 'Enterprises'],
  land: ['Quyền sử dụng đất', 'Land rights'],
  parcel: [
    'Thửa đất {id}, {area} m², phần quyền {share}%',
    'Parcel {id}, {area} m², share {share}%',
  ],
  MALE: ['Nam', 'Male'],
  FEMALE: ['Nữ', 'Female'],
  you: ['Bạn', 'You'],
  moreFields: ['và {n} trường khác', 'and {n} more'],
  insurance: ['Bảo hiểm xã hội', 'Social insurance'],
  insuranceNumber: ['Mã số BHXH', 'Social insurance number'],
  civilService: ['Cán bộ, công chức', 'Civil service'],
  whoRead: ['Ai đã đọc dữ liệu của tôi', 'Who read my data'],
  whoReadIntro: [
    'Các lượt đọc phục vụ điều tra có thể được ẩn đến khi được phép công bố.',
    'Reads for an investigation may stay hidden until they may be released.',
  ],
  noReads: ['Chưa ai đọc dữ liệu của bạn.', 'Nobody has read your data.'],
  more: ['Xem thêm', 'Show more'],
  myConsents: ['Sự đồng ý của tôi', 'My consents'],
  noConsents: ['Bạn chưa đồng ý cho hệ thống nào.', 'You have given no consent.'],
  fields: ['Trường dữ liệu', 'Fields'],
  grantedAt: ['Ngày đồng ý', 'Granted'],
  until: ['Hiệu lực đến', 'Valid until'],
  noEnd: ['Không thời hạn', 'No end date'],
  status: ['Trạng thái', 'Status'],
  active: ['Đang hiệu lực', 'Active'],
  revokedOn: ['Đã thu hồi {date}', 'Revoked {date}'],
  revoke: ['Thu hồi', 'Revoke'],
  revokeLabel: [
    'Thu hồi sự đồng ý cho {client} ({purpose})',
    'Revoke the consent for {client} ({purpose})',
  ],
  grant: ['Cho phép một hệ thống đọc dữ liệu', 'Let a client read your data'],
  grantButton: ['Đồng ý', 'Grant'],
  fieldsHelp: [
    'Các trường, cách nhau bởi dấu phẩy, ví dụ Citizen.fullName',
    'Fields, comma-separated, e.g. Citizen.fullName',
  ],
  granted: ['Đã ghi nhận sự đồng ý.', 'Consent recorded.'],
  revoked: ['Đã thu hồi sự đồng ý.', 'Consent revoked.'],
} as const;

export type WordKey = keyof typeof WORDS;

interface I18n {
  lang: Lang;
  toggle(): void;
  t(key: WordKey, params?: Record<string, string | number>): string;
  dateTime(value: string | Date): string;
  date(value: string | Date): string;
}

const I18nContext = createContext<I18n | null>(null);

/** Vietnam keeps UTC+7 all year; pages show its local time whatever the browser's zone. */
const TIME_ZONE = 'Asia/Ho_Chi_Minh';

/** Provides the language to a page; it starts in Vietnamese (or `?lang=en`). */
export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLang] = useState<Lang>(() =>
    new URLSearchParams(window.location.search).get('lang') === 'en' ? 'en' : 'vi',
  );
  useEffect(() => {
    document.documentElement.lang = lang;
  }, [lang]);
  const value = useMemo<I18n>(() => {
    const locale = lang === 'vi' ? 'vi-VN' : 'en-GB';
    const day = { year: 'numeric', month: '2-digit', day: '2-digit' } as const;
    const dateTime = new Intl.DateTimeFormat(locale, {
      ...day,
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
      timeZone: TIME_ZONE,
    });
    const date = new Intl.DateTimeFormat(locale, { ...day, timeZone: TIME_ZONE });
    return {
      lang,
      toggle: () => setLang((current) => (current === 'vi' ? 'en' : 'vi')),
      t: (key, params = {}) =>
        WORDS[key][lang === 'vi' ? 0 : 1].replace(/\{(\w+)\}/g, (_, name: string) =>
          String(params[name] ?? ''),
        ),
      dateTime: (value) => dateTime.format(new Date(value)),
      date: (value) => date.format(new Date(value)),
    };
  }, [lang]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

/** The page's language, words and date formats. */
export function useI18n(): I18n {
  const value = useContext(I18nContext);
  if (!value) throw new Error('useI18n outside I18nProvider');
  return value;
}
