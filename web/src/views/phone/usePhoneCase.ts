// One case for a phone page: loaded from the address's number; 404 → the page's 未找到.
import { computed, ref, watch, type ComputedRef, type Ref } from 'vue'
import { useRoute } from 'vue-router'
import { request } from '@/api/client'
import { ApiError, messageOf } from '@/api/problem'
import type { CaseOut } from '@/api/types'

export interface PhoneCase {
  number: ComputedRef<string>
  view: Ref<CaseOut | null>
  version: Ref<number>
  missing: Ref<boolean>
  error: Ref<string>
  load: () => Promise<void>
  /** Whether the server allows this action to this user now. */
  allows: (action: string) => boolean
}

export function usePhoneCase(): PhoneCase {
  const route = useRoute()
  const number = computed(() => String(route.params.number ?? ''))
  const view = ref<CaseOut | null>(null)
  const version = ref(0)
  const missing = ref(false)
  const error = ref('')

  async function load(): Promise<void> {
    error.value = ''
    try {
      const answer = await request<CaseOut>('GET', `/cases/${encodeURIComponent(number.value)}`)
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
    void load()
  }, { immediate: true })

  const allows = (action: string): boolean => view.value?.allowed_actions.includes(action) ?? false
  return { number, view, version, missing, error, load, allows }
}
