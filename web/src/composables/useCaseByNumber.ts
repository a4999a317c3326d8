// One case loaded from the address's `:number`, reloaded when the number changes. The case page,
// the unit's work page and the phone pages all read a case this way; a 404 sets `missing` (the
// page shows 未找到), any other failure a message in `error`.
import { computed, ref, watch, type ComputedRef, type Ref } from 'vue'
import { useRoute } from 'vue-router'
import { request } from '@/api/client'
import { ApiError, messageOf } from '@/api/problem'
import type { CaseOut } from '@/api/types'

export interface LoadedCase {
  number: ComputedRef<string>
  view: Ref<CaseOut | null>
  version: Ref<number>
  missing: Ref<boolean>
  error: Ref<string>
  load: () => Promise<void>
  /** Whether the server allows this action to this user now. */
  allows: (action: string) => boolean
}

export interface LoadOptions {
  /** Waited for beside the case (e.g. the reference names the page shows), never failing it. */
  alongside?: Promise<unknown>
  /** Called when the number changes, before the new case loads: clear the page's own state. */
  onSwitch?: () => void
}

export function useCaseByNumber(options: LoadOptions = {}): LoadedCase {
  const route = useRoute()
  const number = computed(() => String(route.params.number ?? ''))
  const view = ref<CaseOut | null>(null)
  const version = ref(0)
  const missing = ref(false)
  const error = ref('')

  async function load(): Promise<void> {
    error.value = ''
    try {
      const [answer] = await Promise.all([
        request<CaseOut>('GET', `/cases/${encodeURIComponent(number.value)}`),
        options.alongside,
      ])
      view.value = answer.data
      version.value = answer.version ?? answer.data.version
      missing.value = false
    } catch (caught) {
      if (caught instanceof ApiError && caught.status === 404) missing.value = true
      else error.value = messageOf(caught)
    }
  }

  watch(number, () => {
    view.value = null
    options.onSwitch?.()
    void load()
  }, { immediate: true })

  const allows = (action: string): boolean => view.value?.allowed_actions.includes(action) ?? false
  return { number, view, version, missing, error, load, allows }
}
